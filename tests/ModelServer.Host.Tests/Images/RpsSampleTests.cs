using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelServer.Host.Tests.Infrastructure;
using ModelServer.Runtime.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace ModelServer.Host.Tests.Images;

/// <summary>
/// The shipped RPS model (model_repository/rps) classifies the sample photos under Images/Samples correctly through
/// every image route, with scores identical across routes and to the trainer's evaluate pipeline (ImageDecoder with
/// the model's metadata preprocessing, then ONNX Runtime) run here on the same file.
/// </summary>
public sealed class RpsSampleTests : IDisposable
{
    private readonly ServerFactory _server = new(Path.Combine(RpsModelTheoryAttribute.RepositoryRoot, "model_repository"));
    private readonly ImageRoutes _routes;
    private readonly HttpClient _http;
    private readonly global::Grpc.Net.Client.GrpcChannel _grpc;

    public RpsSampleTests()
    {
        _http = _server.CreateClient();
        _grpc = global::Grpc.Net.Client.GrpcChannel.ForAddress(
            _server.Server.BaseAddress, new global::Grpc.Net.Client.GrpcChannelOptions { HttpHandler = _server.Server.CreateHandler() });
        _routes = new ImageRoutes(_http, _grpc);
    }

    public void Dispose()
    {
        _grpc.Dispose();
        _http.Dispose();
        _server.Dispose();
    }

    public static TheoryData<string, string> Samples()
    {
        var data = new TheoryData<string, string>();
        foreach (var folder in Directory.GetDirectories(SampleRoot()).Order(StringComparer.Ordinal))
        {
            foreach (var file in Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(folder), Path.GetFileName(file));
            }
        }

        return data;
    }

    [RpsModelTheory]
    [MemberData(nameof(Samples))]
    public async Task SamplePhotoGetsTheSameScoresOnEveryRouteAsEvaluate(string label, string file)
    {
        var image = await File.ReadAllBytesAsync(Path.Combine(SampleRoot(), label, file));
        var (labels, evaluated) = Evaluate(image);

        using var row = await _routes.PostJsonAsync("/v1/models/rps:predict", $$$"""{"instances": [{"b64": "{{{Convert.ToBase64String(image)}}}"}]}""");
        var fromB64 = ImageRoutes.Floats(row.RootElement.GetProperty("predictions")[0].GetProperty("probabilities"));
        var fromGrpc = await _routes.GrpcPredictAsync("rps", image, "input", "probabilities");
        var (uploadLabel, uploadScores) = await _routes.UploadAsync("rps", image, "image/jpeg");
        var grpcClassify = await _routes.GrpcClassifyAsync("rps", "image/encoded", image);

        Assert.Equal(labels[Array.IndexOf(evaluated, evaluated.Max())], uploadLabel);
        Assert.Equal(evaluated, fromB64);
        Assert.Equal(evaluated, fromGrpc);
        Assert.Equal(evaluated, labels.Select(l => uploadScores[l]));
        Assert.Equal(evaluated, grpcClassify.Result.Classifications[0].Classes.Select(c => c.Score));
        Assert.Equal(labels, grpcClassify.Result.Classifications[0].Classes.Select(c => c.Label));
    }

    /// <summary>
    /// The shipped model's accuracy on the sample photos: a property of the trained weights, not of the server, so it is
    /// tagged ModelQuality (run it with <c>--filter Category=ModelQuality</c> after retraining; see the model card).
    /// </summary>
    [RpsModelTheory]
    [MemberData(nameof(Samples))]
    [Trait("Category", "ModelQuality")]
    public async Task SamplePhotoIsClassifiedCorrectly(string label, string file)
    {
        var image = await File.ReadAllBytesAsync(Path.Combine(SampleRoot(), label, file));
        var (uploadLabel, _) = await _routes.UploadAsync("rps", image, "image/jpeg");
        Assert.Equal(label, uploadLabel);
    }

    /// <summary>
    /// A phone stores a photo sideways and tags it EXIF orientation 6: the sample photo's pixels turned a quarter
    /// counter-clockwise and tagged must classify as the upright photo does (the same label, scores within JPEG's
    /// re-encoding noise); the same sideways pixels untagged are a different picture to the model.
    /// </summary>
    [RpsModelTheory]
    [MemberData(nameof(Samples))]
    public async Task SamplePhotoTaggedOrientation6ClassifiesLikeTheUprightPhoto(string label, string file)
    {
        using var photo = Image.Load<Rgb24>(Path.Combine(SampleRoot(), label, file));
        byte[] upright = TestImages.Encode(photo, png: false);
        photo.Mutate(x => x.Rotate(RotateMode.Rotate270));
        byte[] sideways = TestImages.Encode(photo, png: false);
        photo.Metadata.ExifProfile = new ExifProfile();
        photo.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        byte[] tagged = TestImages.Encode(photo, png: false);

        var (uprightLabel, uprightScores) = await _routes.UploadAsync("rps", upright, "image/jpeg");
        var (taggedLabel, taggedScores) = await _routes.UploadAsync("rps", tagged, "image/jpeg");
        var (_, sidewaysScores) = await _routes.UploadAsync("rps", sideways, "image/jpeg");

        Assert.Equal(uprightLabel, taggedLabel);
        foreach (var (name, score) in uprightScores)
        {
            Assert.InRange(taggedScores[name], score - 0.05f, score + 0.05f);
        }

        // The tag is what made them agree: untagged, the model sees other pixels and scores them differently.
        Assert.Contains(uprightScores, pair => Math.Abs(sidewaysScores[pair.Key] - pair.Value) > 1e-4f);
    }

    /// <summary>What the trainer's <c>evaluate</c> computes for one file: the shared ImageDecoder, then ONNX Runtime.</summary>
    private static (string[] Labels, float[] Probabilities) Evaluate(byte[] image)
    {
        using var session = new InferenceSession(RpsModelTheoryAttribute.ModelPath);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        var preprocessing = ImagePreprocessing.FromMetadata(metadata.ToDictionary())!;
        var labels = metadata[ImageMetadataKeys.Labels].Split(',', StringSplitOptions.TrimEntries);
        var pixels = new float[preprocessing.ElementCount];
        new ImageDecoder().DecodeInto(image, preprocessing, pixels);
        var input = session.InputMetadata.Keys.Single();
        int[] shape = preprocessing.Layout == TensorLayout.Nhwc
            ? [1, preprocessing.Height, preprocessing.Width, 3]
            : [1, 3, preprocessing.Height, preprocessing.Width];
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(input, new DenseTensor<float>(pixels, shape))], ["probabilities"]);
        return (labels, results[0].AsTensor<float>().ToArray());
    }

    private static string SampleRoot() => Path.Combine(AppContext.BaseDirectory, "Images", "Samples");
}
