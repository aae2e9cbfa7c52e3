using Grpc.Net.Client;
using ModelServer.Host.Tests.Infrastructure;
using ModelServer.Testing;

namespace ModelServer.Host.Tests.Images;

/// <summary>
/// The real host over a temporary repository holding the image test models: <c>pos</c> (PixelPosition with labels),
/// <c>nolabels</c>, <c>labelsfile</c> (labels from labels.txt), <c>nchw</c>, and <c>plain</c> (half_plus_two, no image
/// input). Extra settings (e.g. image limits) come in as configuration keys.
/// </summary>
internal sealed class ImageHost : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly ServerFactory? _factory;

    public ImageHost(IReadOnlyDictionary<string, string>? settings = null, Action<string>? publish = null)
    {
        try
        {
            Publish(publish);
            _factory = new ServerFactory(_root.Path, settings?.ToDictionary(kv => kv.Key, kv => (string?)kv.Value));
            Http = _factory.CreateClient();
            Grpc = GrpcChannel.ForAddress(_factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = _factory.Server.CreateHandler() });
        }
        catch
        {
            // A host that fails to start (invalid options) must not leave its repository behind.
            _factory?.Dispose();
            _root.Dispose();
            throw;
        }
    }

    private void Publish(Action<string>? publish)
    {
        TestModels.Publish(_root.Path, "pos", 1, ImageTestModels.PixelPosition());
        TestModels.Publish(_root.Path, "nolabels", 1, ImageTestModels.PixelPosition(withLabels: false));
        var file = TestModels.Publish(_root.Path, "labelsfile", 1, ImageTestModels.PixelPosition(withLabels: false));
        File.WriteAllLines(Path.Combine(Path.GetDirectoryName(file)!, "labels.txt"), ["tl", "tr", "b"]);
        TestModels.Publish(_root.Path, "nchw", 1, ImageTestModels.PixelPosition(layout: "NCHW"));
        TestModels.Publish(_root.Path, "plain", 1, TestModels.HalfPlusTwo());
        publish?.Invoke(_root.Path);
    }

    public string Root => _root.Path;

    public HttpClient Http { get; }

    public GrpcChannel Grpc { get; }

    public IServiceProvider Services => _factory!.Services;

    public void Dispose()
    {
        Grpc.Dispose();
        Http.Dispose();
        _factory!.Dispose();
        _root.Dispose();
    }
}
