using ModelServer.Runtime.Batching;
using ModelServer.Runtime.Serving;
using ModelServer.Testing;

namespace ModelServer.Runtime.Tests.Batching;

/// <summary>When batches start: the oldest request's timeout, a full batch, a free runner. Fake time, no sleeps.</summary>
public sealed class BatchingTriggerTests
{
    private static float[] Row(float seed) => [seed, seed + 1, seed + 2, seed + 3];

    [Fact]
    public async Task Timeout_StartsTheBatch_WhenTheOldestRequestHasWaitedItOut()
    {
        using var harness = await BatchingHarness.StartAsync(
            TestModels.Dense(),
            new BatchingOptions { MaxBatchSize = 8, BatchTimeoutMicros = 1000, NumBatchThreads = 1 });

        var replies = Enumerable.Range(0, 3).Select(i => harness.Send(Row(i), [1, 4])).ToArray();
        harness.Time.Advance(TimeSpan.FromMicroseconds(999));
        Assert.Equal(0, harness.Executor.Runs);
        Assert.All(replies, r => Assert.False(r.IsCompleted));

        harness.Time.Advance(TimeSpan.FromMicroseconds(1));
        await Task.WhenAll(replies);

        Assert.Equal([3L], harness.Executor.RunRows);
    }

    [Fact]
    public async Task FullBatch_StartsAtOnce_WithoutWaitingForTheTimeout()
    {
        using var harness = await BatchingHarness.StartAsync(
            TestModels.Dense(),
            new BatchingOptions { MaxBatchSize = 4, BatchTimeoutMicros = 1_000_000, NumBatchThreads = 1 });

        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => harness.Send(Row(i), [1, 4])));
        Assert.Equal([4L], harness.Executor.RunRows);

        var late = harness.Send(Row(9), [1, 4]);
        Assert.False(late.IsCompleted);
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await late;
        Assert.Equal([4L, 1L], harness.Executor.RunRows);
    }

    [Fact]
    public async Task ZeroTimeout_SendsWhateverIsQueued_WhenARunnerIsFree()
    {
        using var harness = await BatchingHarness.StartAsync(
            TestModels.Dense(),
            new BatchingOptions { MaxBatchSize = 8, BatchTimeoutMicros = 0, NumBatchThreads = 1 });

        harness.Executor.Close();
        var first = Task.Run(() => harness.Send(Row(0), [1, 4]));
        await harness.Executor.WaitForRunAsync();
        var queued = Enumerable.Range(1, 3).Select(i => harness.Send(Row(i), [1, 4])).ToArray();
        harness.Executor.Open();
        await Task.WhenAll([first, .. queued]);

        Assert.Equal([1L, 3L], harness.Executor.RunRows);
    }

    [Fact]
    public async Task RequestOverMaxBatchSize_IsRejected_WhenSplittingIsOff()
    {
        using var harness = await BatchingHarness.StartAsync(
            TestModels.Dense(),
            new BatchingOptions { MaxBatchSize = 4, NumBatchThreads = 1 });

        var error = Assert.Throws<ServingException>(() => { _ = harness.Send(new float[20], [5, 4]); });

        Assert.Equal(ServingErrorCode.InvalidArgument, error.Code);
        Assert.Equal("Task size 5 is larger than maximum input batch size 4", error.Message);
        Assert.Equal(0, harness.Executor.Runs);
    }

    [Fact]
    public async Task FixedFirstDimension_IsNeverMerged()
    {
        using var harness = await BatchingHarness.StartAsync(
            TestModels.FixedShape(),
            new BatchingOptions { MaxBatchSize = 8, BatchTimeoutMicros = 0, NumBatchThreads = 1 });

        harness.Executor.Close();
        var first = Task.Run(() => harness.Send([1, 2, 3, 4], [2, 2]));
        await harness.Executor.WaitForRunAsync();
        var others = Enumerable.Range(0, 2).Select(i => harness.Send([i, i, i, i], [2, 2])).ToArray();
        harness.Executor.Open();
        var results = await Task.WhenAll([first, .. others]);

        Assert.Equal([2L, 2L, 2L], harness.Executor.RunRows);
        Assert.Equal([2f, 3f, 4f, 5f], results[0].Values);
        Assert.Equal([2f, 2f, 2f, 2f], results[2].Values);
    }

    [Fact]
    public async Task DifferentInnerDimensions_AreNotMerged()
    {
        using var harness = await BatchingHarness.StartAsync(
            TestModels.Identity(global::Onnx.TensorProto.Types.DataType.Float),
            new BatchingOptions { MaxBatchSize = 8, BatchTimeoutMicros = 0, NumBatchThreads = 1 });

        harness.Executor.Close();
        var first = Task.Run(() => harness.Send([1, 2], [1, 2]));
        await harness.Executor.WaitForRunAsync();
        var narrow = harness.Send([1, 2, 3], [1, 3]);
        var wide = harness.Send([1, 2, 3, 4, 5], [1, 5]);
        harness.Executor.Open();
        var results = await Task.WhenAll(first, narrow, wide);

        Assert.Equal([1L, 1L, 1L], harness.Executor.RunRows);
        Assert.Equal([1f, 2f, 3f], results[1].Values);
        Assert.Equal([1f, 2f, 3f, 4f, 5f], results[2].Values);
    }

    [Fact]
    public async Task DifferentInnerDimensions_AreZeroPaddedAndMerged_WithPadVariableLengthInputs()
    {
        using var harness = await BatchingHarness.StartAsync(
            TestModels.Identity(global::Onnx.TensorProto.Types.DataType.Float),
            new BatchingOptions { MaxBatchSize = 8, BatchTimeoutMicros = 0, NumBatchThreads = 1, PadVariableLengthInputs = true });

        harness.Executor.Close();
        var first = Task.Run(() => harness.Send([1, 2], [1, 2]));
        await harness.Executor.WaitForRunAsync();
        var narrow = harness.Send([1, 2, 3, 6, 7, 8], [2, 3]);
        var wide = harness.Send([1, 2, 3, 4, 5], [1, 5]);
        harness.Executor.Open();
        var results = await Task.WhenAll(first, narrow, wide);

        Assert.Equal([1L, 3L], harness.Executor.RunRows);
        Assert.Equal([2L, 5L], results[1].Shape);
        Assert.Equal([1f, 2f, 3f, 0f, 0f, 6f, 7f, 8f, 0f, 0f], results[1].Values);
        Assert.Equal([1f, 2f, 3f, 4f, 5f], results[2].Values);
    }
}
