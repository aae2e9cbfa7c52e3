using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ModelServer.Runtime.Batching;
using ModelServer.Runtime.Onnx;
using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Tensors;
using ModelServer.Testing;

namespace ModelServer.Runtime.Tests.Batching;

/// <summary>A real model loaded by a real <see cref="ModelManager"/>, served through a batching runner on fake time.</summary>
internal sealed class BatchingHarness : IDisposable
{
    private readonly TempDirectory _repository = new();

    private BatchingHarness(BatchingOptions options, string? configJson, byte[] model)
    {
        Options = options;
        TestModels.Publish(_repository.Path, "m", 1, model);
        if (configJson is not null)
        {
            File.WriteAllText(Path.Combine(_repository.Path, "m", "config.json"), configJson);
        }

        Models = new ModelManager(Microsoft.Extensions.Options.Options.Create(new OnnxRuntimeOptions { ExecutionProvider = "cpu", IntraOpNumThreads = 1 }), NullLogger<ModelManager>.Instance);
        Metrics = new BatchingMetrics(Time, NullLogger<BatchingMetrics>.Instance);
        Runner = new BatchingInferenceRunner(
            new BatchingServerOptions { EnableBatching = configJson is null, Parameters = options },
            Metrics,
            Executor,
            Time,
            NullLogger<BatchingInferenceRunner>.Instance);
    }

    public BatchingOptions Options { get; }

    public FakeTimeProvider Time { get; } = new();

    public GatedExecutor Executor { get; } = new();

    public BatchingMetrics Metrics { get; }

    public ModelManager Models { get; }

    public BatchingInferenceRunner Runner { get; }

    /// <summary>Rows waiting in the queue now.</summary>
    public long QueuedRows => Metrics.Snapshot().SingleOrDefault()?.QueuedRows ?? 0;

    /// <summary>Polls a condition reached on other threads (bounded; no fixed sleep, no timing assert).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(1, limit.Token);
        }
    }

    public static async Task<BatchingHarness> StartAsync(byte[] model, BatchingOptions options, string? configJson = null)
    {
        var harness = new BatchingHarness(options, configJson, model);
        await harness.Models.ReconcileAsync(ModelSource.ForFolder("m", Path.Combine(harness._repository.Path, "m")), CancellationToken.None);
        return harness;
    }

    /// <summary>
    /// Sends one request through the runner, as the predictor does: the handle and inputs live until the reply is
    /// read. The call returns once the request is queued (or rejected); the task completes with its outputs.
    /// </summary>
    public Task<Reply> Send(float[] values, long[] shape, CancellationToken cancellationToken = default)
    {
        var servable = Models.Acquire("m", null, null);
        var input = Tensor.Wrap(TensorDataType.Float, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        var signature = servable.Model.Signature;
        ValueTask<IReadOnlyList<Tensor>> pending;
        try
        {
            pending = Runner.RunAsync(servable, [signature.Inputs[0].Name], [input], [signature.Outputs[0].Name], cancellationToken);
        }
        catch
        {
            input.Dispose();
            servable.Dispose();
            throw;
        }

        return Collect(pending, servable, input);
    }

    /// <summary>The same input run directly on the model, one request alone: what a caller must get back.</summary>
    public Reply RunAlone(float[] values, long[] shape)
    {
        using var servable = Models.Acquire("m", null, null);
        using var input = Tensor.Wrap(TensorDataType.Float, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        var outputs = servable.Model.Run([servable.Model.Signature.Inputs[0].Name], [input], [servable.Model.Signature.Outputs[0].Name], CancellationToken.None);
        using var output = outputs[0];
        return new Reply(output.AsSpan<float>().ToArray(), output.ShapeArray);
    }

    private static async Task<Reply> Collect(ValueTask<IReadOnlyList<Tensor>> pending, ServableHandle servable, Tensor input)
    {
        try
        {
            var outputs = await pending;
            using var output = outputs[0];
            return new Reply(output.AsSpan<float>().ToArray(), output.ShapeArray);
        }
        finally
        {
            input.Dispose();
            servable.Dispose();
        }
    }

    public void Dispose()
    {
        Executor.Open();
        Runner.Dispose();
        Metrics.Dispose();
        Models.Dispose();
        _repository.Dispose();
    }

    public sealed record Reply(float[] Values, long[] Shape);
}
