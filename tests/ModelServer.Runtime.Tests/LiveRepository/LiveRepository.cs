using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ModelServer.Runtime.Onnx;
using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;
using ModelServer.Testing;

namespace ModelServer.Runtime.Tests.LiveRepository;

/// <summary>
/// A real repository folder, a real <see cref="ModelManager"/> (ONNX Runtime on CPU) and a <see cref="RepositoryWatcher"/>
/// driven by hand: tests publish files, move a fake clock and call <see cref="PollAsync"/>.
/// </summary>
internal sealed class LiveRepository : IDisposable
{
    private readonly TempDirectory _folder = new();

    public LiveRepository(double settleSeconds = 1, string? root = null)
    {
        Root = root ?? Path.Combine(_folder.Path, "models");
        if (root is null)
        {
            Directory.CreateDirectory(Root);
        }

        // The fake clock starts at the real time, so files written now are "just written" to it.
        Time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        Manager = new ModelManager(Options.Create(new OnnxRuntimeOptions { ExecutionProvider = "cpu" }), NullLogger<ModelManager>.Instance);
        Watcher = new RepositoryWatcher(
            Manager,
            Options.Create(new ServingOptions { ModelRepository = Root }),
            Options.Create(new RepositoryWatcherOptions { FileSystemPollWaitSeconds = 1, FileSystemSettleSeconds = settleSeconds, EnableFileSystemEvents = false }),
            Time,
            NullLogger<RepositoryWatcher>.Instance);
    }

    public string Root { get; }

    /// <summary>A scratch folder outside the repository.</summary>
    public string Outside => Directory.CreateDirectory(Path.Combine(_folder.Path, "outside")).FullName;

    public FakeTimeProvider Time { get; }

    public ModelManager Manager { get; }

    public RepositoryWatcher Watcher { get; }

    public Task<IReadOnlyList<ModelReconcileResult>> PollAsync() => Watcher.PollOnceAsync(CancellationToken.None);

    /// <summary>Polls, moves the clock past the settle period, and polls again: what a settled publish needs.</summary>
    public async Task<IReadOnlyList<ModelReconcileResult>> SettleAsync()
    {
        await PollAsync();
        Time.Advance(TimeSpan.FromSeconds(1));
        return await PollAsync();
    }

    /// <summary>Dates a version folder and its files five minutes back on the fake clock, as if published long ago.</summary>
    public void Age(string model, long version)
    {
        var folder = Path.Combine(Root, model, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var then = Time.GetUtcNow().UtcDateTime.AddMinutes(-5);
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, then);
        }

        Directory.SetLastWriteTimeUtc(folder, then);
    }

    public IReadOnlyList<long> Available(string model) => Manager.Find(model)?.Available.Keys.ToArray() ?? [];

    public ModelVersionStatus Status(string model, long version) => Manager.GetStatus(model, version).Single();

    /// <summary>Runs the model's latest (or given) version on x = 0 and returns y[0]: for <see cref="TestModels.Versioned"/>, its version.</summary>
    public float Predict(string model, long? version = null, string? label = null)
    {
        using var handle = Manager.Acquire(model, version, label);
        using var x = Tensor.Rent(TensorDataType.Float, [1]);
        var outputs = handle.Model.Run(["x"], [x], ["y"], CancellationToken.None);
        try
        {
            return outputs[0].AsSpan<float>()[0];
        }
        finally
        {
            foreach (var output in outputs)
            {
                output.Dispose();
            }
        }
    }

    public void Dispose()
    {
        Watcher.Dispose();
        Manager.Dispose();
        _folder.Dispose();
    }
}
