using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Imaging;

/// <summary>
/// Turns the encoded images of one request into one float batch tensor <c>[n, H, W, 3]</c> (or <c>[n, 3, H, W]</c>),
/// decoding them in parallel, each straight into its slice of the batch buffer. Every limit (count, bytes, format,
/// then width × height from the header inside <see cref="ImageDecoder"/>) is checked before pixels are decoded;
/// a refusal is an INVALID_ARGUMENT that names the image and the limit.
/// </summary>
public sealed class ImageBatchDecoder
{
    private readonly ImageOptions _options;
    private readonly IReadOnlySet<ImageFormatKind> _allowed;
    private readonly ImageDecoder _decoder;
    private readonly int _parallelism;
    private readonly ILogger<ImageBatchDecoder> _logger;

    public ImageBatchDecoder(IOptions<ImageOptions> options, ILogger<ImageBatchDecoder> logger)
    {
        _options = options.Value;
        _allowed = _options.AllowedFormatSet;
        _decoder = new ImageDecoder(_options.MaxPixels);
        _parallelism = _options.MaxDecodeParallelism > 0 ? _options.MaxDecodeParallelism : Environment.ProcessorCount;
        _logger = logger;
    }

    /// <summary>
    /// Decodes <paramref name="images"/> into a new rented tensor, which the caller owns and disposes. The encoded
    /// bytes are only read, and only during this call.
    /// </summary>
    /// <exception cref="ServingException">INVALID_ARGUMENT naming the image and the problem.</exception>
    public Tensor Decode(IReadOnlyList<ReadOnlyMemory<byte>> images, ImagePreprocessing preprocessing, string inputName)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(preprocessing);
        CheckBeforeDecoding(images, inputName);

        long started = Stopwatch.GetTimestamp();
        long[] shape = preprocessing.Layout == TensorLayout.Nhwc
            ? [images.Count, preprocessing.Height, preprocessing.Width, ImagePreprocessing.Channels]
            : [images.Count, ImagePreprocessing.Channels, preprocessing.Height, preprocessing.Width];

        // The tensor owns its pooled buffer; each worker writes only its own image's slice of it.
        var tensor = Tensor.Rent(TensorDataType.Float, shape);
        var errors = new ImageDecodeException?[images.Count];
        int perImage = preprocessing.ElementCount;
        void DecodeOne(int i)
        {
            try
            {
                _decoder.DecodeInto(images[i], preprocessing, tensor.AsWritableSpan<float>().Slice(i * perImage, perImage));
            }
            catch (ImageDecodeException ex)
            {
                errors[i] = ex;
            }
        }

        try
        {
            if (images.Count == 1 || _parallelism == 1)
            {
                for (int i = 0; i < images.Count; i++)
                {
                    DecodeOne(i);
                }
            }
            else
            {
                Parallel.For(0, images.Count, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, DecodeOne);
            }

            for (int i = 0; i < errors.Length; i++)
            {
                if (errors[i] is { } error)
                {
                    ImagingLog.DecodeFailed(_logger, i, inputName, error.Message);
                    throw ServingException.InvalidArgument($"{Which(i, images.Count, inputName)}: {error.Message}");
                }
            }

            ImagingLog.Decoded(_logger, images.Count, inputName, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    private void CheckBeforeDecoding(IReadOnlyList<ReadOnlyMemory<byte>> images, string inputName)
    {
        if (images.Count == 0)
        {
            throw ServingException.InvalidArgument($"input '{inputName}': no images were sent");
        }

        if (images.Count > _options.MaxImagesPerRequest)
        {
            throw ServingException.InvalidArgument(
                $"input '{inputName}': {images.Count} images in one request, over the limit of {_options.MaxImagesPerRequest} (Images:MaxImagesPerRequest)");
        }

        for (int i = 0; i < images.Count; i++)
        {
            var data = images[i].Span;
            if (data.IsEmpty)
            {
                throw ServingException.InvalidArgument($"{Which(i, images.Count, inputName)} is empty (0 bytes)");
            }

            if (data.Length > _options.MaxImageBytes)
            {
                throw ServingException.InvalidArgument(
                    $"{Which(i, images.Count, inputName)} is {data.Length} bytes, over the limit of {_options.MaxImageBytes} (Images:MaxImageBytes)");
            }

            var format = ImageFormatSniffer.Detect(data)
                ?? throw ServingException.InvalidArgument(
                    $"{Which(i, images.Count, inputName)} is not an image in a known format (expected {AllowedNames()})");
            if (!_allowed.Contains(format))
            {
                throw ServingException.InvalidArgument(
                    $"{Which(i, images.Count, inputName)} is {ImageFormatSniffer.Name(format)}, which is not an allowed format (Images:AllowedFormats: {AllowedNames()})");
            }
        }
    }

    private string AllowedNames() => string.Join(", ", _allowed.Order().Select(ImageFormatSniffer.Name));

    private static string Which(int index, int count, string inputName)
        => count == 1 ? $"input '{inputName}': the image" : $"input '{inputName}': image {index}";
}
