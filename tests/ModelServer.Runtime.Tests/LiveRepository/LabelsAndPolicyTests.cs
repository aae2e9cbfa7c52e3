using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Serving;
using ModelServer.Testing;

namespace ModelServer.Runtime.Tests.LiveRepository;

public sealed class LabelsAndPolicyTests
{
    private static Task WriteConfigAsync(LiveRepository repo, string model, string json)
        => File.WriteAllTextAsync(Path.Combine(repo.Root, model, "config.json"), json);

    [Fact]
    public async Task Labels_route_to_their_versions_and_move_when_config_json_changes()
    {
        using var repo = new LiveRepository();
        for (var v = 1; v <= 3; v++)
        {
            TestModels.Publish(repo.Root, "m", v, TestModels.Versioned(v));
        }

        await WriteConfigAsync(repo, "m", """
            { "version_policy": { "specific": { "versions": [1, 2] } },
              "version_labels": { "stable": 1, "canary": 2 } }
            """);
        await repo.PollAsync();
        Assert.Equal([1L, 2L], repo.Available("m"));
        Assert.Equal(1f, repo.Predict("m", label: "stable"));
        Assert.Equal(2f, repo.Predict("m", label: "canary"));
        Assert.Equal(2f, repo.Predict("m"));

        await WriteConfigAsync(repo, "m", """
            { "version_policy": { "specific": { "versions": [2, 3] } },
              "version_labels": { "stable": 2, "canary": 3 } }
            """);
        await repo.PollAsync();
        Assert.Equal([2L, 3L], repo.Available("m"));
        Assert.Equal(2f, repo.Predict("m", label: "stable"));
        Assert.Equal(3f, repo.Predict("m", label: "canary"));
    }

    [Fact]
    public async Task A_label_to_a_missing_version_is_refused_with_TF_Servings_message_and_keeps_its_previous_target()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "m", 1, TestModels.Versioned(1));
        await WriteConfigAsync(repo, "m", """{ "version_labels": { "stable": 1 } }""");
        await repo.PollAsync();
        Assert.Equal(1f, repo.Predict("m", label: "stable"));

        await WriteConfigAsync(repo, "m", """{ "version_labels": { "stable": 7, "canary": 5 } }""");
        var result = (await repo.PollAsync()).Single();

        Assert.Equal(
            [
                "Request to assign label to version 5 of model m, which is not currently available for inference",
                "Request to assign label to version 7 of model m, which is not currently available for inference",
            ],
            result.LabelErrors);
        Assert.Equal(1f, repo.Predict("m", label: "stable"));
        var ex = Assert.Throws<ServingException>(() => repo.Predict("m", label: "canary"));
        Assert.Equal("Unrecognized servable version label: canary", ex.Message);

        // Once version 5 is published (and the policy serves it), the label applies without a restart.
        await WriteConfigAsync(repo, "m", """{ "version_policy": { "all": {} }, "version_labels": { "stable": 1, "canary": 5 } }""");
        TestModels.Publish(repo.Root, "m", 5, TestModels.Versioned(5));
        var settled = await repo.SettleAsync();
        Assert.True(settled.Single().Succeeded);
        Assert.Equal(5f, repo.Predict("m", label: "canary"));
    }

    [Fact]
    public async Task Latest_two_serves_the_two_newest_and_all_serves_every_version()
    {
        using var repo = new LiveRepository();
        for (var v = 1; v <= 3; v++)
        {
            TestModels.Publish(repo.Root, "m", v, TestModels.Versioned(v));
        }

        await WriteConfigAsync(repo, "m", """{ "version_policy": { "latest": { "num_versions": 2 } } }""");
        await repo.PollAsync();
        Assert.Equal([2L, 3L], repo.Available("m"));
        Assert.Equal(2f, repo.Predict("m", version: 2));

        await WriteConfigAsync(repo, "m", """{ "version_policy": { "all": {} } }""");
        await repo.PollAsync();
        Assert.Equal([1L, 2L, 3L], repo.Available("m"));
    }

    [Fact]
    public async Task The_last_available_version_keeps_serving_when_the_policy_selects_one_that_fails()
    {
        using var repo = new LiveRepository();
        TestModels.Publish(repo.Root, "m", 1, TestModels.Versioned(1));
        TestModels.Publish(repo.Root, "m", 2, [1, 2, 3]);
        await WriteConfigAsync(repo, "m", """{ "version_policy": { "specific": { "versions": [1] } } }""");
        await repo.PollAsync();

        await WriteConfigAsync(repo, "m", """{ "version_policy": { "specific": { "versions": [2] } } }""");
        await repo.PollAsync();

        Assert.Equal(ModelVersionState.End, repo.Status("m", 2).State);
        Assert.Equal([1L], repo.Available("m"));
        Assert.Equal(1f, repo.Predict("m"));
    }
}
