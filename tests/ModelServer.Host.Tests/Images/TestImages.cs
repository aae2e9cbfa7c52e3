using System.Buffers.Binary;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace ModelServer.Host.Tests.Images;

/// <summary>Images generated in the tests with ImageSharp: blocks whose position the PixelPosition model reads.</summary>
internal static class TestImages
{
    public const int Side = 64;

    /// <summary>An upright image, black with a white block in the given quadrant ("topleft", "topright", "bottom").</summary>
    public static Image<Rgb24> Upright(string where)
    {
        var image = new Image<Rgb24>(Side, Side, new Rgb24(0, 0, 0));
        var h = Side / 2;
        var rect = where switch
        {
            "topleft" => new Rectangle(0, 0, h, h),
            "topright" => new Rectangle(h, 0, h, h),
            _ => new Rectangle(0, h, Side, h),
        };
        image.ProcessPixelRows(rows =>
        {
            for (var y = rect.Top; y < rect.Bottom; y++)
            {
                rows.GetRowSpan(y)[rect.Left..rect.Right].Fill(new Rgb24(255, 255, 255));
            }
        });
        return image;
    }

    public static byte[] Png(string where)
    {
        using var image = Upright(where);
        return Encode(image, png: true);
    }

    public static byte[] Jpeg(string where)
    {
        using var image = Upright(where);
        return Encode(image, png: false);
    }

    /// <summary>
    /// The upright picture stored rotated 90° counter-clockwise with EXIF orientation 6 ("rotate 90° clockwise to
    /// display"), as a phone held sideways writes it.
    /// </summary>
    public static byte[] JpegWithOrientation6(string where)
    {
        using var image = Upright(where);
        image.Mutate(x => x.Rotate(RotateMode.Rotate270));
        image.Metadata.ExifProfile = new ExifProfile();
        image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        return Encode(image, png: false);
    }

    /// <summary>The same stored pixels as <see cref="JpegWithOrientation6"/> without the EXIF tag.</summary>
    public static byte[] JpegRotatedWithoutExif(string where)
    {
        using var image = Upright(where);
        image.Mutate(x => x.Rotate(RotateMode.Rotate270));
        return Encode(image, png: false);
    }

    public static byte[] Encode(Image image, bool png)
    {
        using var stream = new MemoryStream();
        if (png)
        {
            image.Save(stream, new PngEncoder());
        }
        else
        {
            image.Save(stream, new JpegEncoder { Quality = 100 });
        }

        return stream.ToArray();
    }

    /// <summary>
    /// A PNG of a few dozen bytes whose header declares <paramref name="width"/>×<paramref name="height"/>: refusing
    /// it must not allocate its pixels (30,000² RGB would be 2.7 GB).
    /// </summary>
    public static byte[] PngHeaderOnly(int width, int height)
    {
        using var stream = new MemoryStream();
        stream.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type RGB
        WriteChunk(stream, "IHDR"u8, ihdr);
        WriteChunk(stream, "IDAT"u8, [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        WriteChunk(stream, "IEND"u8, []);
        return stream.ToArray();
    }

    private static void WriteChunk(Stream stream, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        stream.Write(type);
        stream.Write(data);
        Span<byte> sum = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(sum, Crc32(Crc32(0xFFFFFFFFu, type), data) ^ 0xFFFFFFFFu);
        stream.Write(sum);
    }

    // PNG's CRC-32 (ISO 3309), bit by bit: a few dozen bytes here.
    private static uint Crc32(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return crc;
    }
}
