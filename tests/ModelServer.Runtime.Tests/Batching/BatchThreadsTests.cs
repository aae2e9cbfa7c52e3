using System.Collections.Concurrent;
using ModelServer.Runtime.Batching;

namespace ModelServer.Runtime.Tests.Batching;

/// <summary>A version's batch threads: never more than the limit, reused, and gone once the version is retired.</summary>
public sealed class BatchThreadsTests
{
    [Fact]
    public async Task Batches_RunOnAtMostTheLimit_AndTheThreadsExitOnDispose()
    {
        using var gate = new ManualResetEventSlim(initialState: false);
        using var entered = new SemaphoreSlim(0);
        var ran = new ConcurrentQueue<Thread>();
        using var done = new CountdownEvent(3);
        var threads = new BatchThreads("batch test", max: 2, _ =>
        {
            ran.Enqueue(Thread.CurrentThread);
            entered.Release();
            gate.Wait(TimeSpan.FromSeconds(30));
            done.Signal();
        });

        for (int i = 0; i < 3; i++)
        {
            threads.Post([]);
        }

        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, ran.Count);

        gate.Set();
        Assert.True(done.Wait(TimeSpan.FromSeconds(30)));
        var used = ran.Distinct().ToArray();
        Assert.Equal(2, used.Length);
        Assert.All(used, thread => Assert.True(thread.IsBackground));

        threads.Dispose();
        Assert.All(used, thread => Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "a batch thread outlived its queue"));
    }

    [Fact]
    public void ABatchPostedAfterDispose_StillRuns_AndItsThreadExits()
    {
        // A retired queue may still hand over the batches it had formed: they must run, not be lost.
        using var done = new ManualResetEventSlim(initialState: false);
        Thread? runner = null;
        var threads = new BatchThreads("batch test", max: 1, _ =>
        {
            runner = Thread.CurrentThread;
            done.Set();
        });
        threads.Dispose();

        threads.Post([]);

        Assert.True(done.Wait(TimeSpan.FromSeconds(30)));
        Assert.True(runner!.Join(TimeSpan.FromSeconds(30)));
    }
}
