using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelServer.Runtime.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace ModelServer.Benchmarks.Images;

/// <summary>
/// Decode + EXIF orient + resize to the shipped rps model's 224×224 + write floats, per image, through the server's
/// one preprocessing:
/// one image on one thread (<see cref="DecodeOne"/>), and a request of 8 images decoded in parallel into one
/// batch buffer (<see cref="DecodeBatchOf8"/>). Inputs are photo-like (smooth gradients plus noise, so JPEG and
/// PNG compress as they do for photos): 300×300 (the data set's crops are ~150×150) and 1280×960 (a phone photo).
/// </summary>
[MemoryDiagnoser]
public class ImageDecodeBenchmarks
{
    private const int Size = 224; // the shipped rps model's input (150 before 2026-11-27's hand-landmark model)
    private readonly float[] _destination = new float[Size * Size * 3];
    private readonly ImagePreprocessing _preprocessing = ImagePreprocessing.UnitScaleRgb(Size);
    private readonly ImageDecoder _decoder = new();
    private ImageBatchDecoder _batch = null!;
    private byte[] _encoded = [];
    private ReadOnlyMemory<byte>[] _eight = [];

    [Params("jpeg", "png")]
    public string Format { get; set; } = "jpeg";

    [Params(300, 1280)]
    public int Width { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var height = Width * 3 / 4;
        using var image = new Image<Rgb24>(Width, height);
        var random = new Random(7);
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    var noise = random.Next(-12, 13);
                    row[x] = new Rgb24(
                        (byte)Math.Clamp((x * 255 / Width) + noise, 0, 255),
                        (byte)Math.Clamp((y * 255 / height) + noise, 0, 255),
                        (byte)Math.Clamp(128 + (int)(60 * Math.Sin(x / 17.0) * Math.Cos(y / 23.0)) + noise, 0, 255));
                }
            }
        });
        using var stream = new MemoryStream();
        if (Format == "png")
        {
            image.Save(stream, new PngEncoder());
        }
        else
        {
            image.Save(stream, new JpegEncoder { Quality = 90 });
        }

        _encoded = stream.ToArray();
        _eight = Enumerable.Repeat((ReadOnlyMemory<byte>)_encoded, 8).ToArray();
        _batch = new ImageBatchDecoder(Options.Create(new ImageOptions()), NullLogger<ImageBatchDecoder>.Instance);
    }

    [Benchmark]
    public void DecodeOne() => _decoder.DecodeInto(_encoded, _preprocessing, _destination);

    [Benchmark(OperationsPerInvoke = 8)]
    public void DecodeBatchOf8()
    {
        using var tensor = _batch.Decode(_eight, _preprocessing, "image");
    }
}
