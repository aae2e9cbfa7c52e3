using System.Net.Http.Headers;
using System.Text;
using Grpc.Net.Client;
using ModelServer.Testing;
using Tensorflow.Serving;

namespace ModelServer.Host.Tests.Infrastructure;

/// <summary>One host with the standard test models, shared by a test class (xunit class fixture).</summary>
public sealed class StandardServer : IDisposable
{
    private readonly TempDirectory _directory = new();

    public StandardServer()
    {
        Factory = ServerFactory.WithStandardModels(_directory);
        Http = Factory.CreateClient();
        Channel = GrpcChannel.ForAddress(Factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Factory.Server.CreateHandler() });
        Prediction = new PredictionService.PredictionServiceClient(Channel);
        Models = new ModelService.ModelServiceClient(Channel);
    }

    public ServerFactory Factory { get; }

    public HttpClient Http { get; }

    public GrpcChannel Channel { get; }

    public PredictionService.PredictionServiceClient Prediction { get; }

    public ModelService.ModelServiceClient Models { get; }

    public async Task<(int Status, string Body)> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await Http.PostAsync(new Uri(path, UriKind.Relative), content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<(int Status, string Body)> GetAsync(string path)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public void Dispose()
    {
        Channel.Dispose();
        Http.Dispose();
        Factory.Dispose();
        _directory.Dispose();
    }
}
