using ModelServer.Runtime.Batching;
using ModelServer.Runtime.Serving;
using ModelServer.Testing;

namespace ModelServer.Runtime.Tests.Batching;

/// <summary>A full queue turns requests away at once; requests whose caller gave up never reach the model.</summary>
public sealed class BatchingOverloadTests
{
    private static float[] Row(float seed) => [seed, seed + 1, seed + 2, seed + 3];

    // The first request of each test is held at the gate on the version's batch thread while the test fills the queue.
    private static async Task<BatchingHarness> StartBlockedAsync(BatchingOptions options)
    {
        var harness = await BatchingHarness.StartAsync(TestModels.Dense(), options);
        harness.Executor.Close();
        return harness;
    }

    [Fact]
    public async Task FullQueue_RejectsAtOnce_WithUnavailable_WithoutWaitingForABatch()
    {
        using var harness = await StartBlockedAsync(new BatchingOptions { MaxBatchSize = 2, MaxEnqueuedBatches = 1, BatchTimeoutMicros = 0, NumBatchThreads = 1 });
        var running = Task.Run(() => harness.Send(Row(0), [1, 4]));
        await harness.Executor.WaitForRunAsync();
        var queued = harness.Send([.. Row(1), .. Row(2)], [2, 4]);

        // The runner is held and the queue holds a whole batch: the next request fails inside the call itself.
        var error = Assert.Throws<ServingException>(() => { _ = harness.Send(Row(3), [1, 4]); });

        Assert.Equal(ServingErrorCode.Unavailable, error.Code);
        Assert.Equal("The batch scheduling queue to which this task was submitted is full; currently 1 batches enqueued and max_enqueued_batches is 1", error.Message);
        harness.Executor.Open();
        await Task.WhenAll(running, queued);
        Assert.Equal([1L, 2L], harness.Executor.RunRows);
        Assert.Equal(1, Assert.Single(harness.Metrics.Snapshot()).Rejected);
    }

    [Fact]
    public async Task CancelledWhileQueued_CompletesAtOnce_AndIsNeverRun()
    {
        using var harness = await StartBlockedAsync(new BatchingOptions { MaxBatchSize = 4, BatchTimeoutMicros = 0, NumBatchThreads = 1 });
        var running = Task.Run(() => harness.Send(Row(0), [1, 4]));
        await harness.Executor.WaitForRunAsync();
        using var cancellation = new CancellationTokenSource();
        var abandoned = harness.Send(Row(100), [1, 4], cancellation.Token);

        cancellation.Cancel();

        // Answered while the runner is still held: it never waited for a batch.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        harness.Executor.Open();
        await running;
        await harness.Send(Row(7), [1, 4]);
        Assert.Equal([1L, 1L], harness.Executor.RunRows);
        Assert.DoesNotContain(harness.Executor.RunInputs, input => input.Contains(100f));
        Assert.Equal(1, Assert.Single(harness.Metrics.Snapshot()).Dropped);
    }

    [Fact]
    public async Task DeadlinePassingInTheQueue_DropsTheRequest_BeforeItCostsCompute()
    {
        using var harness = await StartBlockedAsync(new BatchingOptions { MaxBatchSize = 4, BatchTimeoutMicros = 0, NumBatchThreads = 1 });
        var running = Task.Run(() => harness.Send(Row(0), [1, 4]));
        await harness.Executor.WaitForRunAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(50), harness.Time);
        var late = harness.Send(Row(100), [1, 4], deadline.Token);
        var patient = harness.Send(Row(200), [1, 4]);

        harness.Time.Advance(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => late);
        harness.Executor.Open();
        await Task.WhenAll(running, patient);
        Assert.Equal([1L, 1L], harness.Executor.RunRows);
        Assert.DoesNotContain(harness.Executor.RunInputs, input => input.Contains(100f));
    }

    [Fact]
    public async Task CancelledPartOfASplitRequest_StopsTheRestFromRunning()
    {
        using var harness = await StartBlockedAsync(new BatchingOptions { MaxBatchSize = 8, MaxExecutionBatchSize = 2, EnableLargeBatchSplitting = true, BatchTimeoutMicros = 0, NumBatchThreads = 1 });
        using var cancellation = new CancellationTokenSource();
        var split = Task.Run(() => harness.Send([.. Row(0), .. Row(10), .. Row(20), .. Row(30)], [4, 4], cancellation.Token));
        await harness.Executor.WaitForRunAsync();

        cancellation.Cancel();
        Assert.False(split.IsCompleted, "a request is answered only once its running part is done with its inputs");
        harness.Executor.Open();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => split);
        await harness.Send(Row(7), [1, 4]);
        Assert.Equal([2L, 1L], harness.Executor.RunRows);
    }
}
