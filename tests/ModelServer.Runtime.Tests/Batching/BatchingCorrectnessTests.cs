using System.Runtime.InteropServices;
using ModelServer.Runtime.Batching;
using ModelServer.Testing;

namespace ModelServer.Runtime.Tests.Batching;

public sealed class BatchingCorrectnessTests
{
    private static float[] DistinctRows(int caller, int rows)
    {
        var values = new float[rows * 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (caller * 0.37f) - (i * 1.13f) + (caller % 7 * 0.001f);
        }

        return values;
    }

    private static void AssertBitForBit(BatchingHarness.Reply expected, BatchingHarness.Reply actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.True(
            MemoryMarshal.AsBytes(expected.Values.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(actual.Values.AsSpan())),
            $"expected [{string.Join(", ", expected.Values)}] got [{string.Join(", ", actual.Values)}]");
    }

    [Fact]
    public async Task Batches_RunOnTheVersionsOwnThreads_AtMostNumBatchThreadsAtOnce()
    {
        // ONNX Runtime blocks its thread for a whole batch: on the thread pool that starved the I/O feeding the queue.
        using var harness = await BatchingHarness.StartAsync(
            TestModels.Dense(),
            new BatchingOptions { MaxBatchSize = 1, BatchTimeoutMicros = 0, MaxEnqueuedBatches = 8, NumBatchThreads = 2 });
        harness.Executor.Close();

        var replies = Enumerable.Range(0, 3).Select(i => harness.Send(DistinctRows(i, 1), [1, 4])).ToArray();
        await harness.Executor.WaitForRunAsync();
        await harness.Executor.WaitForRunAsync();

        // Two batch threads, both held: the third request waits in the queue for one of them.
        Assert.Equal(2, harness.Executor.Runs);
        Assert.Equal(1, harness.QueuedRows);
        harness.Executor.Open();
        await Task.WhenAll(replies);

        var threads = harness.Executor.RunThreads.ToArray();
        Assert.Equal(3, threads.Length);
        Assert.Equal(2, threads.Distinct().Count());
        Assert.All(threads, thread =>
        {
            Assert.False(thread.IsThreadPoolThread);
            Assert.Equal("batch m", thread.Name);
        });
    }

    [Fact]
    public async Task SixtyFourConcurrentCallers_EachGetTheirOwnRows_BitForBitAsAlone()
    {
        using var harness = await BatchingHarness.StartAsync(
            TestModels.Dense(),
            new BatchingOptions { MaxBatchSize = 16, BatchTimeoutMicros = 0, MaxEnqueuedBatches = 100, NumBatchThreads = 2 });

        // Hold the first batches at the gate (on the version's two batch threads) so the other callers pile up in the
        // queue and must be merged; every call is in once each of its rows is queued or held at the gate.
        harness.Executor.Close();
        var replies = Enumerable.Range(0, 64)
            .Select(caller => Task.Run(() => harness.Send(DistinctRows(caller, 1 + (caller % 3)), [1 + (caller % 3), 4])))
            .ToArray();
        var totalRows = Enumerable.Range(0, 64).Sum(c => 1 + (c % 3));
        await BatchingHarness.WaitUntilAsync(() => harness.QueuedRows + harness.Executor.RunRows.Sum() == totalRows);
        harness.Executor.Open();
        var results = await Task.WhenAll(replies);

        for (var caller = 0; caller < 64; caller++)
        {
            var rows = 1 + (caller % 3);
            AssertBitForBit(harness.RunAlone(DistinctRows(caller, rows), [rows, 4]), results[caller]);
        }

        var runRows = harness.Executor.RunRows.ToArray();
        Assert.Equal(Enumerable.Range(0, 64).Sum(c => 1 + (c % 3)), runRows.Sum());
        Assert.True(runRows.Length < 64, $"requests were not merged: {runRows.Length} runs");
        Assert.All(runRows, rows => Assert.InRange(rows, 1, 16));
    }

    [Fact]
    public async Task Padding_RunsAtTheNextAllowedSize_AndCallersSeeOnlyTheirRows()
    {
        using var harness = await BatchingHarness.StartAsync(
            TestModels.Dense(),
            new BatchingOptions { MaxBatchSize = 4, AllowedBatchSizes = [2, 4], BatchTimeoutMicros = 1000, NumBatchThreads = 1 });

        var replies = Enumerable.Range(0, 3).Select(caller => harness.Send(DistinctRows(caller, 1), [1, 4])).ToArray();
        harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        var results = await Task.WhenAll(replies);

        Assert.Equal([4L], harness.Executor.RunRows);
        var batchInput = Assert.Single(harness.Executor.RunInputs);
        Assert.Equal(batchInput.AsSpan(8, 4).ToArray(), batchInput.AsSpan(12, 4).ToArray());
        for (var caller = 0; caller < 3; caller++)
        {
            AssertBitForBit(harness.RunAlone(DistinctRows(caller, 1), [1, 4]), results[caller]);
        }

        var stats = Assert.Single(harness.Metrics.Snapshot());
        Assert.Equal(1, stats.PaddingRows);
        Assert.Equal(3, stats.Rows);
    }

    [Fact]
    public async Task LargeRequest_IsSplitAcrossBatches_AndComesBackWhole()
    {
        using var harness = await BatchingHarness.StartAsync(
            TestModels.Dense(),
            new BatchingOptions { MaxBatchSize = 8, MaxExecutionBatchSize = 4, EnableLargeBatchSplitting = true, BatchTimeoutMicros = 0, NumBatchThreads = 1 });

        var values = DistinctRows(5, 7);
        var result = await harness.Send(values, [7, 4]);

        Assert.Equal([4L, 3L], harness.Executor.RunRows);
        AssertBitForBit(harness.RunAlone(values, [7, 4]), result);
    }

    [Fact]
    public async Task SplitRequest_SharesBatchesWithOthers_AndEachGetsItsOwnRows()
    {
        using var harness = await BatchingHarness.StartAsync(
            TestModels.Dense(),
            new BatchingOptions { MaxBatchSize = 8, MaxExecutionBatchSize = 4, EnableLargeBatchSplitting = true, BatchTimeoutMicros = 1000, NumBatchThreads = 1 });

        var small = harness.Send(DistinctRows(1, 2), [2, 4]);
        var large = harness.Send(DistinctRows(2, 5), [5, 4]);
        // 2 + 2 rows fill the first batch (size trigger); the last 3 rows of the large request wait for the timeout.
        var smallResult = await small;
        Assert.False(large.IsCompleted);
        harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        var largeResult = await large;

        Assert.Equal([4L, 3L], harness.Executor.RunRows);
        AssertBitForBit(harness.RunAlone(DistinctRows(1, 2), [2, 4]), smallResult);
        AssertBitForBit(harness.RunAlone(DistinctRows(2, 5), [5, 4]), largeResult);
    }
}
