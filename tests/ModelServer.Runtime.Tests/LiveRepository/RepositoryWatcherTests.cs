using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Serving;
using ModelServer.Testing;

namespace ModelServer.Runtime.Tests.LiveRepository;

public sealed class RepositoryWatcherTests
{
    [Fact]
    public async Task First_poll_loads_what_is_there_and_a_new_version_waits_until_its_files_settle()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "m", 1, TestModels.Versioned(1));
        await repo.PollAsync();
        Assert.Equal([1L], repo.Available("m"));

        TestModels.Publish(repo.Root, "m", 2, TestModels.Versioned(2));
        await repo.PollAsync();
        Assert.Equal([1L], repo.Available("m"));
        Assert.Equal(1f, repo.Predict("m"));

        repo.Time.Advance(TimeSpan.FromSeconds(1));
        await repo.PollAsync();
        Assert.Equal([2L], repo.Available("m"));
        Assert.Equal(2f, repo.Predict("m"));
        Assert.Equal(ModelVersionState.End, repo.Status("m", 1).State);
        Assert.Equal(ServingErrorCode.Ok, repo.Status("m", 1).ErrorCode);
    }

    [Fact]
    public async Task A_version_whose_files_keep_changing_is_not_loaded()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "m", 1, TestModels.Versioned(1));
        await repo.PollAsync();

        var file = Path.Combine(repo.Root, "m", "2", "model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var model = TestModels.Versioned(2);
        for (var written = 10; written < model.Length; written += 10)
        {
            // A slow copy: each poll sees a bigger file, so the settle period starts over.
            await File.WriteAllBytesAsync(file, model[..written]);
            File.SetLastWriteTimeUtc(file, repo.Time.GetUtcNow().UtcDateTime);
            await repo.PollAsync();
            repo.Time.Advance(TimeSpan.FromSeconds(0.6));
        }

        Assert.Equal([1L], repo.Available("m"));
        Assert.Throws<ServingException>(() => repo.Status("m", 2));

        await File.WriteAllBytesAsync(file, model);
        File.SetLastWriteTimeUtc(file, repo.Time.GetUtcNow().UtcDateTime);
        await repo.PollAsync();
        Assert.Equal([1L], repo.Available("m"));
        repo.Time.Advance(TimeSpan.FromSeconds(1));
        await repo.PollAsync();
        Assert.Equal([2L], repo.Available("m"));
    }

    [Fact]
    public async Task Non_numeric_folders_are_ignored()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "m", 1, TestModels.Versioned(1));
        foreach (var name in new[] { "3.tmp", ".staging", "tmp", "-4", "5a" })
        {
            Directory.CreateDirectory(Path.Combine(repo.Root, "m", name));
            await File.WriteAllBytesAsync(Path.Combine(repo.Root, "m", name, "model.onnx"), TestModels.Versioned(9));
        }

        await repo.SettleAsync();

        Assert.Equal([1L], repo.Available("m"));
        Assert.Equal([1L], repo.Manager.GetStatus("m", null).Select(s => s.Version));
    }

    [Fact]
    public async Task Removing_a_version_folder_unloads_it_and_the_previous_one_takes_over()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "m", 1, TestModels.Versioned(1));
        TestModels.Publish(repo.Root, "m", 2, TestModels.Versioned(2));
        await repo.PollAsync();
        Assert.Equal([2L], repo.Available("m"));

        Directory.Delete(Path.Combine(repo.Root, "m", "2"), recursive: true);
        await repo.SettleAsync();

        Assert.Equal([1L], repo.Available("m"));
        Assert.Equal(1f, repo.Predict("m"));
    }

    [Fact]
    public async Task Model_folders_appear_and_disappear_as_models()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "a", 1, TestModels.Versioned(1));
        await repo.PollAsync();

        TestModels.Publish(repo.Root, "b", 7, TestModels.Versioned(7));
        await repo.SettleAsync();
        Assert.Equal(7f, repo.Predict("b"));

        Directory.Delete(Path.Combine(repo.Root, "a"), recursive: true);
        await repo.PollAsync();
        Assert.Empty(repo.Available("a"));
        var ex = Assert.Throws<ServingException>(() => repo.Predict("a"));
        Assert.Equal("Servable not found for request: Latest(a)", ex.Message);
        Assert.Equal(ModelVersionState.End, repo.Status("a", 1).State);
        Assert.Equal(7f, repo.Predict("b"));
    }

    [Fact]
    public async Task A_truncated_new_version_fails_with_its_error_while_the_old_one_keeps_serving_and_is_retried_when_replaced()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "m", 1, TestModels.Versioned(1));
        await repo.PollAsync();

        var good = TestModels.Versioned(2);
        TestModels.Publish(repo.Root, "m", 2, good[..(good.Length / 2)]);
        var results = await repo.SettleAsync();

        var failed = repo.Status("m", 2);
        Assert.Equal(ModelVersionState.End, failed.State);
        Assert.NotEqual(ServingErrorCode.Ok, failed.ErrorCode);
        Assert.Contains("model.onnx", failed.ErrorMessage);
        Assert.Contains(results.Single().LoadErrors, e => e.StartsWith("Version 2 of model m failed to load", StringComparison.Ordinal));
        Assert.Equal([1L], repo.Available("m"));
        Assert.Equal(1f, repo.Predict("m"));

        // Unchanged files are not retried: the failed version stays the same object.
        var before = repo.Manager.Find("m")!.History[2];
        repo.Time.Advance(TimeSpan.FromSeconds(5));
        await repo.PollAsync();
        Assert.Same(before, repo.Manager.Find("m")!.History[2]);

        TestModels.Publish(repo.Root, "m", 2, good);
        await repo.SettleAsync();
        Assert.Equal([2L], repo.Available("m"));
        Assert.Equal(2f, repo.Predict("m"));
        Assert.Equal(ServingErrorCode.Ok, repo.Status("m", 2).ErrorCode);
    }

    [Fact]
    public async Task A_version_folder_symlinked_outside_the_repository_is_refused()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "m", 1, TestModels.Versioned(1));
        await repo.PollAsync();

        var outside = Path.Combine(repo.Outside, "2");
        Directory.CreateDirectory(outside);
        await File.WriteAllBytesAsync(Path.Combine(outside, "model.onnx"), TestModels.Versioned(2));
        Directory.CreateSymbolicLink(Path.Combine(repo.Root, "m", "2"), outside);
        await repo.SettleAsync();

        var refused = repo.Status("m", 2);
        Assert.Equal(ModelVersionState.End, refused.State);
        Assert.Equal(ServingErrorCode.PermissionDenied, refused.ErrorCode);
        Assert.Contains("leaves", refused.ErrorMessage);
        Assert.Equal([1L], repo.Available("m"));
    }

    [Fact]
    public async Task A_model_file_symlinked_outside_is_refused_but_a_link_inside_the_repository_is_served()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "m", 1, TestModels.Versioned(1));
        await repo.PollAsync();
        var outsideFile = Path.Combine(repo.Outside, "model.onnx");
        await File.WriteAllBytesAsync(outsideFile, TestModels.Versioned(2));
        Directory.CreateDirectory(Path.Combine(repo.Root, "m", "2"));
        File.CreateSymbolicLink(Path.Combine(repo.Root, "m", "2", "model.onnx"), outsideFile);

        var shared = Path.Combine(repo.Root, ".shared-3.onnx");
        await File.WriteAllBytesAsync(shared, TestModels.Versioned(3));
        Directory.CreateDirectory(Path.Combine(repo.Root, "n", "3"));
        File.CreateSymbolicLink(Path.Combine(repo.Root, "n", "3", "model.onnx"), shared);
        await repo.SettleAsync();

        Assert.Contains("leaves", repo.Status("m", 2).ErrorMessage);
        Assert.Equal([1L], repo.Available("m"));
        Assert.Equal(3f, repo.Predict("n"));
    }

    [Fact]
    public async Task A_missing_repository_is_reported_and_served_once_it_appears()
    {
        using var folder = new TempDirectory();
        var root = Path.Combine(folder.Path, "not-yet");
        using var repo = new LiveRepository(root: root);

        var results = await repo.PollAsync();
        Assert.Contains(results.Single().LoadErrors, e => e.Contains(root, StringComparison.Ordinal) && e.Contains("does not exist", StringComparison.Ordinal));

        TestModels.Publish(root, "m", 1, TestModels.Versioned(1));
        await repo.SettleAsync();
        Assert.Equal(1f, repo.Predict("m"));
    }

    [Fact]
    public async Task A_model_folder_with_no_versions_is_reported_not_fatal()
    {
        using var repo = new LiveRepository();
        Directory.CreateDirectory(Path.Combine(repo.Root, "empty"));
        TestModels.Publish(repo.Root, "m", 1, TestModels.Versioned(1));
        await repo.PollAsync();

        var ex = Assert.Throws<ServingException>(() => repo.Manager.GetStatus("empty", null));
        Assert.Equal("Could not find any versions of model empty", ex.Message);
        Assert.Equal(1f, repo.Predict("m"));

        TestModels.Publish(repo.Root, "empty", 4, TestModels.Versioned(4));
        await repo.SettleAsync();
        Assert.Equal(4f, repo.Predict("empty"));
    }

    [Fact]
    public async Task A_broken_config_json_keeps_the_model_as_it_was()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "m", 1, TestModels.Versioned(1));
        TestModels.Publish(repo.Root, "m", 2, TestModels.Versioned(2));
        await File.WriteAllTextAsync(Path.Combine(repo.Root, "m", "config.json"), """{"version_policy": {"all": {}}}""");
        await repo.PollAsync();
        Assert.Equal([1L, 2L], repo.Available("m"));

        await File.WriteAllTextAsync(Path.Combine(repo.Root, "m", "config.json"), """{"version_policy": {"all": """);
        await repo.SettleAsync();
        Assert.Equal([1L, 2L], repo.Available("m"));

        await File.WriteAllTextAsync(Path.Combine(repo.Root, "m", "config.json"), """{"version_policy": {"specific": {"versions": [1]}}}""");
        await repo.PollAsync();
        Assert.Equal([1L], repo.Available("m"));
    }

    [Fact]
    public async Task Status_keeps_a_bounded_number_of_ended_versions()
    {
        using var repo = new LiveRepository();
        var versions = ServedModel.MaxEndedVersions + 5;
        for (var v = 1; v <= versions; v++)
        {
            TestModels.PublishAtomically(repo.Root, "m", v, TestModels.Versioned(v));
            repo.Age("m", v);
            await repo.PollAsync();
        }

        var statuses = repo.Manager.GetStatus("m", null);
        // Pruned when a version is tracked: the one withdrawn by that load ends after the pruning, hence + 1.
        Assert.Equal(ServedModel.MaxEndedVersions + 2, statuses.Count);
        Assert.Equal(versions, statuses[0].Version);
        Assert.Equal(ModelVersionState.Available, statuses[0].State);
        Assert.All(statuses.Skip(1), s => Assert.Equal(ModelVersionState.End, s.State));
        Assert.Equal(versions - ServedModel.MaxEndedVersions - 1, statuses[^1].Version);
    }

    [Fact]
    public async Task A_configured_base_path_that_vanishes_is_reported_and_its_versions_keep_serving()
    {
        using var repo = new LiveRepository();
        var basePath = Path.Combine(repo.Outside, "m");
        TestModels.Publish(repo.Outside, "m", 1, TestModels.Versioned(1));
        var applied = await repo.Watcher.ApplyConfiguredModelsAsync([ModelSource.ForFolder("m", basePath)], CancellationToken.None);
        Assert.True(applied.Single().Succeeded);

        Directory.Move(basePath, basePath + ".moved");
        var results = await repo.SettleAsync();

        Assert.Equal([$"base path {basePath} of model m does not exist"], results.Single().LoadErrors);
        Assert.Equal(1f, repo.Predict("m"));
    }

    [Fact]
    public async Task A_version_folder_created_empty_waits_for_its_files_instead_of_failing()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "m", 1, TestModels.Versioned(1));
        await repo.PollAsync();

        var folder = Directory.CreateDirectory(Path.Combine(repo.Root, "m", "2")).FullName;
        await repo.PollAsync();
        repo.Time.Advance(TimeSpan.FromSeconds(0.5));
        await repo.PollAsync();
        Assert.False(repo.Manager.Find("m")!.History.ContainsKey(2));

        await File.WriteAllBytesAsync(Path.Combine(folder, "model.onnx"), TestModels.Versioned(2));
        await repo.SettleAsync();
        Assert.Equal([2L], repo.Available("m"));
        Assert.Equal(ServingErrorCode.Ok, repo.Status("m", 2).ErrorCode);
    }

    [Fact]
    public async Task A_broken_newest_version_does_not_hold_back_a_good_one_published_with_it()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "m", 1, TestModels.Versioned(1));
        await repo.PollAsync();

        TestModels.Publish(repo.Root, "m", 2, TestModels.Versioned(2));
        TestModels.Publish(repo.Root, "m", 3, [0x08, 0x07, 0x12]);
        var results = await repo.SettleAsync();

        Assert.Equal([2L], repo.Available("m"));
        Assert.Equal(2f, repo.Predict("m"));
        Assert.Equal(ModelVersionState.End, repo.Status("m", 3).State);
        Assert.NotEqual(ServingErrorCode.Ok, repo.Status("m", 3).ErrorCode);
        Assert.Contains(results.Single().LoadErrors, e => e.StartsWith("Version 3 of model m failed to load", StringComparison.Ordinal));

        // Still reported on later polls, without a new attempt.
        repo.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Contains((await repo.PollAsync()).Single().LoadErrors, e => e.StartsWith("Version 3 of model m", StringComparison.Ordinal));
        Assert.Equal([2L], repo.Available("m"));
    }
}
