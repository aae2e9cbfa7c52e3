using System.ComponentModel.DataAnnotations;

namespace ModelServer.Runtime.Imaging;

/// <summary>
/// Limits on images in requests (section <c>ModelServer:Images</c>), all checked before a pixel is decoded;
/// validated at start. Each refusal names the option that refused it.
/// </summary>
public sealed class ImageOptions : IValidatableObject
{
    public const string Section = "ModelServer:Images";

    /// <summary>Largest encoded image accepted, in bytes (the request as a whole is bounded by <c>MaxRequestBytes</c>).</summary>
    [Range(1, int.MaxValue)]
    public int MaxImageBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>Largest width × height accepted, read from the image header before decoding.</summary>
    [Range(1, long.MaxValue)]
    public long MaxPixels { get; set; } = ImageDecoder.DefaultMaxPixels;

    /// <summary>Most images in one request.</summary>
    [Range(1, 100_000)]
    public int MaxImagesPerRequest { get; set; } = 64;

    /// <summary>Comma-separated formats accepted: any of jpeg, png, webp, bmp, gif.</summary>
    [Required]
    public string AllowedFormats { get; set; } = "jpeg,png,webp,bmp,gif";

    /// <summary>Images of one request decoded at once; 0 means one per processor.</summary>
    [Range(0, 1024)]
    public int MaxDecodeParallelism { get; set; }

    /// <summary>The parsed <see cref="AllowedFormats"/>.</summary>
    public IReadOnlySet<ImageFormatKind> AllowedFormatSet => ParseFormats(AllowedFormats, out _);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var formats = ParseFormats(AllowedFormats ?? string.Empty, out var unknown);
        if (unknown.Count > 0)
        {
            yield return new ValidationResult(
                $"AllowedFormats has unknown format(s) {string.Join(", ", unknown)}; known: jpeg, png, webp, bmp, gif.", [nameof(AllowedFormats)]);
        }
        else if (formats.Count == 0)
        {
            yield return new ValidationResult("AllowedFormats must name at least one format.", [nameof(AllowedFormats)]);
        }
    }

    private static HashSet<ImageFormatKind> ParseFormats(string text, out List<string> unknown)
    {
        var set = new HashSet<ImageFormatKind>();
        unknown = [];
        foreach (var name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (ImageFormatSniffer.TryParseName(name, out var kind))
            {
                set.Add(kind);
            }
            else
            {
                unknown.Add(name);
            }
        }

        return set;
    }
}
