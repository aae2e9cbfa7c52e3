using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Warmup;
using ModelServer.Testing;

namespace ModelServer.Runtime.Tests.LiveRepository;

public sealed class SafeLoadingTests
{
    [Fact]
    public async Task A_request_in_flight_on_the_old_version_finishes_on_it_and_the_session_goes_with_the_last_reference()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "m", 1, TestModels.Versioned(1));
        await repo.PollAsync();
        var inFlight = repo.Manager.Acquire("m", null, null);

        TestModels.PublishAtomically(repo.Root, "m", 2, TestModels.Versioned(2));
        await repo.SettleAsync();

        // New requests go to version 2; the one holding version 1 still runs on it.
        Assert.Equal(2f, repo.Predict("m"));
        Assert.Equal(ModelVersionState.Unloading, repo.Status("m", 1).State);
        Assert.Equal(1, inFlight.Version);
        Assert.NotNull(inFlight.Model.Signature);

        var servable = inFlight.Servable;
        inFlight.Dispose();
        Assert.Equal(ModelVersionState.End, repo.Status("m", 1).State);
        Assert.Throws<InvalidOperationException>(() => servable.Model);
    }

    [Fact]
    public async Task A_version_renamed_into_place_loads_on_the_first_poll_that_sees_it()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "m", 1, TestModels.Versioned(1));
        await repo.PollAsync();

        TestModels.PublishAtomically(repo.Root, "m", 2, TestModels.Versioned(2));
        repo.Age("m", 2);
        await repo.PollAsync();

        Assert.Equal([2L], repo.Available("m"));
    }

    [Fact]
    public async Task Files_replaced_while_loading_fail_that_attempt_and_the_settled_files_are_retried()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "m", 1, TestModels.Versioned(1));
        var source = ModelSource.ForFolder("m", Path.Combine(repo.Root, "m"));
        var onDisk = VersionScanner.Scan(source.BasePath, null).Single();

        // What the scan saw is not what is on disk when loading ends (the file was replaced meanwhile).
        var stale = onDisk with { Fingerprint = "model.onnx|1|0;" };
        var result = await repo.Manager.ReconcileAsync(source, [stale], CancellationToken.None);

        Assert.Contains(result.LoadErrors, e => e.Contains("changed while it was loading", StringComparison.Ordinal));
        Assert.Empty(repo.Available("m"));

        result = await repo.Manager.ReconcileAsync(source, [onDisk], CancellationToken.None);
        Assert.True(result.Succeeded);
        Assert.Equal(1f, repo.Predict("m"));
    }

    [Fact]
    public async Task A_model_that_cannot_run_its_warmup_batch_fails_to_load_with_the_reason()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "m", 1, TestModels.OnlyBatchOne());
        var basePath = Path.Combine(repo.Root, "m");

        var warmOne = ModelSource.ForFolder("m", basePath) with { Warmup = new WarmupSettings(true, [1]) };
        Assert.True((await repo.Manager.ReconcileAsync(warmOne, CancellationToken.None)).Succeeded);

        TestModels.Publish(repo.Root, "n", 1, TestModels.OnlyBatchOne());
        var warmTwo = ModelSource.ForFolder("n", Path.Combine(repo.Root, "n")) with { Warmup = new WarmupSettings(true, [1, 2]) };
        var result = await repo.Manager.ReconcileAsync(warmTwo, CancellationToken.None);

        Assert.Empty(repo.Available("n"));
        Assert.Contains("warmup failed", repo.Status("n", 1).ErrorMessage);
        Assert.Single(result.LoadErrors);
    }

    [Fact]
    public async Task Warmup_batch_sizes_come_from_config_json()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "m", 1, TestModels.OnlyBatchOne());
        await File.WriteAllTextAsync(Path.Combine(repo.Root, "m", "config.json"), """{ "warmup": { "batch_sizes": [2] }, "batching": { "max_batch_size": 8 } }""");
        await repo.PollAsync();
        Assert.Contains("warmup failed", repo.Status("m", 1).ErrorMessage);

        TestModels.Publish(repo.Root, "n", 1, TestModels.OnlyBatchOne());
        await File.WriteAllTextAsync(Path.Combine(repo.Root, "n", "config.json"), """{ "warmup": { "enabled": false } }""");
        await repo.SettleAsync();
        Assert.Equal([1L], repo.Available("n"));
    }

    [Fact]
    public void A_bad_warmup_section_names_the_problem()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(Path.Combine(folder.Path, "config.json"), """{ "warmup": { "batch_sizes": [0] } }""");
        var ex = Assert.Throws<InvalidDataException>(() => Runtime.Configuration.ModelConfigReader.Read("m", folder.Path));
        Assert.Contains("warmup.batch_sizes", ex.Message);
    }

    [Fact]
    public async Task Resource_preserving_transition_unloads_and_drains_the_old_version_before_loading_the_new_one()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "m", 1, TestModels.Versioned(1));
        await File.WriteAllTextAsync(Path.Combine(repo.Root, "m", "config.json"), """{ "version_transition": "resource_preserving" }""");
        await repo.PollAsync();
        var inFlight = repo.Manager.Acquire("m", null, null);

        TestModels.PublishAtomically(repo.Root, "m", 2, TestModels.Versioned(2));
        repo.Age("m", 2);
        var poll = repo.PollAsync();

        // Version 1 is withdrawn at once; version 2 waits until the request on version 1 ends.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (repo.Status("m", 1).State != ModelVersionState.Unloading && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(ModelVersionState.Unloading, repo.Status("m", 1).State);
        Assert.False(repo.Manager.Find("m")!.History.ContainsKey(2));
        Assert.Empty(repo.Available("m"));

        inFlight.Dispose();
        await poll;
        Assert.Equal(ModelVersionState.End, repo.Status("m", 1).State);
        Assert.Equal(2f, repo.Predict("m"));
    }

    [Fact]
    public void An_unknown_version_transition_names_the_choices()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(Path.Combine(folder.Path, "config.json"), """{ "version_transition": "fast" }""");
        var ex = Assert.Throws<InvalidDataException>(() => Runtime.Configuration.ModelConfigReader.Read("m", folder.Path));
        Assert.Contains("availability_preserving or resource_preserving", ex.Message);
    }
}
