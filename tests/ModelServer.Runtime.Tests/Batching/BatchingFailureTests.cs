using System.Runtime.InteropServices;
using ModelServer.Runtime.Batching;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;
using ModelServer.Testing;

namespace ModelServer.Runtime.Tests.Batching;

public sealed class BatchingFailureTests
{
    private static async Task<float[]> Lookup(BatchingHarness harness, long[] indices)
    {
        using var servable = harness.Models.Acquire("m", null, null);
        using var input = Tensor.Wrap(TensorDataType.Int64, [indices.Length], MemoryMarshal.AsBytes(indices.AsSpan()).ToArray());
        var outputs = await harness.Runner.RunAsync(servable, ["index"], [input], ["y"], CancellationToken.None);
        using var output = outputs[0];
        return output.AsSpan<float>().ToArray();
    }

    [Fact]
    public async Task ABadRequest_FailsAlone_AndTheRequestsMergedWithItStillSucceed()
    {
        using var harness = await BatchingHarness.StartAsync(TestModels.Lookup(), new BatchingOptions { MaxBatchSize = 8, BatchTimeoutMicros = 1000, NumBatchThreads = 1 });

        var good = Lookup(harness, [0, 3]);
        var bad = Lookup(harness, [1, 9]);
        var other = Lookup(harness, [2]);
        harness.Time.Advance(TimeSpan.FromMilliseconds(1));

        var goodRows = await good;
        var otherRows = await other;
        Assert.Equal([10f, 40f], goodRows);
        Assert.Equal([30f], otherRows);
        var error = await Assert.ThrowsAsync<ServingException>(() => bad);
        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        Assert.Equal([5L, 2L, 2L, 1L], harness.Executor.RunRows);
    }
}
