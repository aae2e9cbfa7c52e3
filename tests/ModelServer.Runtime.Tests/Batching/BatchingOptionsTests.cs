using ModelServer.Runtime.Batching;
using ModelServer.Runtime.Configuration;
using ModelServer.Testing;

namespace ModelServer.Runtime.Tests.Batching;

public sealed class BatchingOptionsTests
{
    [Theory]
    [InlineData(8, new long[] { 2, 4, 8 }, false, null, null)]
    [InlineData(8, new long[] { 2, 4 }, false, null, "Last entry in allowed_batch_sizes must match max_batch_size; last entry was 4; expected 8")]
    [InlineData(8, new long[] { 4, 2, 8 }, false, null, "allowed_batch_sizes entries must be monotonically increasing")]
    [InlineData(16, new long[] { 2, 4 }, true, 4L, null)]
    [InlineData(16, new long[] { 2, 8 }, true, 4L, "Last entry in allowed_batch_sizes must be equal to max_execution_batch_size; last entry was 8; expected 4")]
    [InlineData(4, new long[] { 2, 8 }, true, null, "Last entry in allowed_batch_sizes must be less than or equal to max_batch_size; last entry was 8; expected 4")]
    public void AllowedBatchSizes_FollowTfServingsRules(long maxBatchSize, long[] allowed, bool splitting, long? maxExecution, string? expected)
    {
        var options = new BatchingOptions { MaxBatchSize = maxBatchSize, AllowedBatchSizes = allowed, EnableLargeBatchSplitting = splitting, MaxExecutionBatchSize = maxExecution };

        Assert.Equal(expected, options.Validate());
    }

    [Fact]
    public void PaddedSize_IsTheNextAllowedSize()
    {
        var options = new BatchingOptions { MaxBatchSize = 8, AllowedBatchSizes = [2, 4, 8] };

        Assert.Equal([2L, 2L, 4L, 4L, 8L, 8L], new long[] { 1, 2, 3, 4, 5, 8 }.Select(options.PaddedSize));
    }

    [Fact]
    public void ModelConfig_WithAnInvalidBatchingSection_IsRejectedAtLoad_NamingTheFile()
    {
        using var repository = new TempDirectory();
        var folder = Path.Combine(repository.Path, "m");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), """{ "batching": { "max_batch_size": 8, "allowed_batch_sizes": [4, 6] } }""");

        var error = Assert.Throws<InvalidDataException>(() => ModelConfigReader.Read("m", folder));

        Assert.Contains("config.json: batching: Last entry in allowed_batch_sizes must match max_batch_size; last entry was 6; expected 8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelSection_OverridesTheServerWideSettings_FieldByField()
    {
        using var repository = new TempDirectory();
        File.WriteAllText(Path.Combine(repository.Path, "config.json"), """{ "batching": { "max_batch_size": 8, "allowed_batch_sizes": [4, 8] } }""");
        var server = new BatchingServerOptions { EnableBatching = false, Parameters = new BatchingOptions { BatchTimeoutMicros = 250, NumBatchThreads = 3 } };

        var options = BatchingConfigReader.Resolve(repository.Path, server);

        Assert.NotNull(options);
        Assert.Equal(8, options.MaxBatchSize);
        Assert.Equal([4L, 8L], options.AllowedBatchSizes);
        Assert.Equal(250, options.BatchTimeoutMicros);
        Assert.Equal(3, options.NumBatchThreads);
    }

    [Fact]
    public void NoSection_FollowsEnableBatching()
    {
        using var repository = new TempDirectory();
        var parameters = new BatchingOptions { MaxBatchSize = 4 };

        Assert.Null(BatchingConfigReader.Resolve(repository.Path, new BatchingServerOptions { EnableBatching = false, Parameters = parameters }));
        Assert.Same(parameters, BatchingConfigReader.Resolve(repository.Path, new BatchingServerOptions { EnableBatching = true, Parameters = parameters }));
    }
}
