using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using ModelServer.Runtime.Imaging;
using ModelServer.Runtime.Serving;

namespace ModelServer.Host.Rest.Classify;

/// <summary>
/// The images of an upload to <c>:classify</c>: the whole body for <c>image/*</c> (or octet-stream), or each file
/// part of a <c>multipart/form-data</c> body. The body is already buffered (bounded by MaxRequestBytes); parts
/// are bounded by MaxImageBytes and their count by MaxImagesPerRequest while they are read.
/// </summary>
internal static class ImageUploadReader
{
    public static bool IsUpload(HttpRequest request)
    {
        var type = request.ContentType;
        return type is not null
               && (type.StartsWith("image/", StringComparison.OrdinalIgnoreCase)
                   || type.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase)
                   || type.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The images; a single-image body is returned as a slice of <paramref name="body"/>, valid while it is.</summary>
    public static async Task<IReadOnlyList<ReadOnlyMemory<byte>>> ReadAsync(
        HttpRequest request, ReadOnlyMemory<byte> body, ImageOptions limits, CancellationToken cancellationToken)
    {
        if (request.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) != true)
        {
            return body.IsEmpty ? throw ServingException.InvalidArgument("The request body is empty: send the image bytes") : [body];
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            throw ServingException.InvalidArgument("multipart/form-data body without a valid boundary parameter");
        }

        if (!MemoryMarshal.TryGetArray(body, out var segment))
        {
            throw new InvalidOperationException("The buffered body is array-backed.");
        }

        using var stream = new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false);
        var reader = new MultipartReader(boundary, stream)
        {
            // Over the image limit, the part fails as it is read (no buffer past the limit is grown).
            BodyLengthLimit = limits.MaxImageBytes,
            HeadersLengthLimit = 16 * 1024,
        };
        var images = new List<ReadOnlyMemory<byte>>();
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                if (!IsImagePart(section))
                {
                    continue;
                }

                if (images.Count == limits.MaxImagesPerRequest)
                {
                    throw ServingException.InvalidArgument(
                        $"more than {limits.MaxImagesPerRequest} images in one request (Images:MaxImagesPerRequest)");
                }

                using var part = new MemoryStream();
                await section.Body.CopyToAsync(part, cancellationToken).ConfigureAwait(false);
                images.Add(part.GetBuffer().AsMemory(0, (int)part.Length));
            }
        }
        catch (InvalidDataException ex) when (ex.Message.Contains("body length limit", StringComparison.OrdinalIgnoreCase))
        {
            throw ServingException.InvalidArgument(
                $"image {images.Count} is larger than the limit of {limits.MaxImageBytes} bytes (Images:MaxImageBytes)");
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            throw ServingException.InvalidArgument($"The multipart/form-data body is malformed: {ex.Message}");
        }

        return images.Count > 0
            ? images
            : throw ServingException.InvalidArgument("The multipart/form-data body holds no file part: send the image(s) as file fields (curl -F 'file=@photo.jpg')");
    }

    /// <summary>A part with a file name or an image content type; plain form fields are skipped.</summary>
    private static bool IsImagePart(MultipartSection section)
    {
        if (section.ContentType?.StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true)
        {
            return true;
        }

        return ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
               && (disposition.FileName.HasValue || disposition.FileNameStar.HasValue);
    }
}
