using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelServer.Runtime.Onnx;
using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;
using ModelServer.Testing;

namespace ModelServer.Runtime.Tests.Repository;

public sealed class ModelManagerTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly ModelManager _manager = new(Options.Create(new OnnxRuntimeOptions { ExecutionProvider = "cpu" }), NullLogger<ModelManager>.Instance);

    private ModelSource Source(string name, VersionPolicy? policy = null, Dictionary<string, long>? labels = null)
        => new(name, Path.Combine(_directory.Path, name), policy ?? VersionPolicy.Default, labels ?? new Dictionary<string, long>());

    private static float Run(ServableHandle handle, float x)
    {
        using var input = Tensor.Rent(TensorDataType.Float, [1]);
        input.AsWritableSpan<float>()[0] = x;
        using var output = handle.Model.Run(["x"], [input], ["y"], CancellationToken.None)[0];
        return output.AsSpan<float>()[0];
    }

    [Fact]
    public async Task LatestPolicyServesTheHighestVersion()
    {
        TestModels.Publish(_directory.Path, "m", 1, TestModels.HalfPlusTwo(offset: 1));
        TestModels.Publish(_directory.Path, "m", 2, TestModels.HalfPlusTwo(offset: 2));
        await _manager.ReconcileAsync(Source("m"), CancellationToken.None);

        using var latest = _manager.Acquire("m", null, null);
        Assert.Equal(2, latest.Version);
        Assert.Equal(2f, Run(latest, 0));
        var error = Assert.Throws<ServingException>(() => _manager.Acquire("m", 1, null));
        Assert.Equal(ServingErrorCode.NotFound, error.Code);
        Assert.Equal("Servable not found for request: Specific(m, 1)", error.Message);
    }

    [Fact]
    public async Task AllPolicyKeepsEveryVersionAddressableAndLabelsResolve()
    {
        TestModels.Publish(_directory.Path, "m", 1, TestModels.HalfPlusTwo(offset: 1));
        TestModels.Publish(_directory.Path, "m", 2, TestModels.HalfPlusTwo(offset: 2));
        await _manager.ReconcileAsync(Source("m", VersionPolicy.All, new Dictionary<string, long> { ["stable"] = 1, ["canary"] = 2, ["ghost"] = 9 }), CancellationToken.None);

        using var one = _manager.Acquire("m", 1, null);
        Assert.Equal(1f, Run(one, 0));
        using var stable = _manager.Acquire("m", null, "stable");
        Assert.Equal(1, stable.Version);
        using var canary = _manager.Acquire("m", null, "canary");
        Assert.Equal(2, canary.Version);
        // A label may only point at an available version; this one is refused.
        Assert.Equal("Unrecognized servable version label: ghost", Assert.Throws<ServingException>(() => _manager.Acquire("m", null, "ghost")).Message);
    }

    [Fact]
    public async Task UnloadWaitsForRequestsInFlight()
    {
        TestModels.Publish(_directory.Path, "m", 1, TestModels.HalfPlusTwo(offset: 1));
        await _manager.ReconcileAsync(Source("m"), CancellationToken.None);
        var inFlight = _manager.Acquire("m", null, null);

        // Version 2 arrives: 1 is withdrawn from new requests but its session lives while the request holds it.
        TestModels.Publish(_directory.Path, "m", 2, TestModels.HalfPlusTwo(offset: 2));
        await _manager.ReconcileAsync(Source("m"), CancellationToken.None);
        using (var fresh = _manager.Acquire("m", null, null))
        {
            Assert.Equal(2, fresh.Version);
        }

        var old = _manager.Find("m")!.History[1];
        Assert.Equal(ModelVersionState.Unloading, old.State);
        Assert.Equal(1f, Run(inFlight, 0));
        inFlight.Dispose();
        Assert.Equal(ModelVersionState.End, old.State);
        Assert.Equal(ServingErrorCode.Ok, old.ErrorCode);
    }

    [Fact]
    public async Task AVersionThatFailsToLoadIsReportedAndTheOthersKeepServing()
    {
        TestModels.Publish(_directory.Path, "m", 1, TestModels.HalfPlusTwo(offset: 1));
        await _manager.ReconcileAsync(Source("m"), CancellationToken.None);
        TestModels.Publish(_directory.Path, "m", 2, TestModels.HalfPlusTwo()[..40]);
        await _manager.ReconcileAsync(Source("m"), CancellationToken.None);

        using var serving = _manager.Acquire("m", null, null);
        Assert.Equal(1, serving.Version);
        var statuses = _manager.GetStatus("m", null);
        Assert.Equal([2L, 1L], statuses.Select(s => s.Version));
        Assert.Equal(ModelVersionState.End, statuses[0].State);
        Assert.NotEqual(ServingErrorCode.Ok, statuses[0].ErrorCode);
        Assert.Contains("model.onnx", statuses[0].ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(ModelVersionState.Available, statuses[1].State);
    }

    [Fact]
    public void UnknownModelsAreNotFound()
    {
        Assert.Equal("Servable not found for request: Latest(x)", Assert.Throws<ServingException>(() => _manager.Acquire("x", null, null)).Message);
        Assert.Equal("Could not find any versions of model x", Assert.Throws<ServingException>(() => _manager.GetStatus("x", null)).Message);
    }

    public void Dispose()
    {
        _manager.Dispose();
        _directory.Dispose();
    }
}
