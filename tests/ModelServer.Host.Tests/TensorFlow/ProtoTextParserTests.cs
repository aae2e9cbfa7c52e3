using ModelServer.Host.TensorFlow.TextFormat;
using Tensorflow.Serving;

namespace ModelServer.Host.Tests.TensorFlow;

public sealed class ProtoTextParserTests
{
    [Fact]
    public void ParsesTfServingsModelConfigList()
    {
        var config = ProtoTextParser.Parse<ModelServerConfig>("""
            # two models
            model_config_list {
              config {
                name: "m" base_path: "/models/m" model_platform: "tensorflow"
                model_version_policy { specific { versions: 42 versions: 43 } }
                version_labels { key: "stable" value: 42 }
                version_labels { key: "canary" value: 43 }
              }
              config: { name: 'n', base_path: "/models/n"; model_version_policy < latest { num_versions: 2 } > }
            }
            """);
        var list = config.ModelConfigList.Config;
        Assert.Equal(2, list.Count);
        Assert.Equal("m", list[0].Name);
        Assert.Equal([42L, 43L], list[0].ModelVersionPolicy.Specific.Versions);
        Assert.Equal(42L, list[0].VersionLabels["stable"]);
        Assert.Equal(43L, list[0].VersionLabels["canary"]);
        Assert.Equal(2u, list[1].ModelVersionPolicy.Latest.NumVersions);
    }

    [Fact]
    public void ParsesBatchingParametersWithWrappers()
    {
        var parameters = ProtoTextParser.Parse<BatchingParameters>(
            "max_batch_size { value: 128 } batch_timeout_micros { value: 0 } max_enqueued_batches { value: 1000000 } " +
            "num_batch_threads { value: 8 } allowed_batch_sizes: 64 allowed_batch_sizes: 128 pad_variable_length_inputs: true " +
            "enable_large_batch_splitting { value: true } thread_pool_name { value: \"pool\" }");
        Assert.Equal(128L, parameters.MaxBatchSize);
        Assert.Equal(0L, parameters.BatchTimeoutMicros);
        Assert.Equal(1000000L, parameters.MaxEnqueuedBatches);
        Assert.Equal(8L, parameters.NumBatchThreads);
        Assert.Equal([64L, 128L], parameters.AllowedBatchSizes);
        Assert.True(parameters.PadVariableLengthInputs);
        Assert.True(parameters.EnableLargeBatchSplitting);
        Assert.Equal("pool", parameters.ThreadPoolName);
        Assert.Null(parameters.MaxExecutionBatchSize);
    }

    [Theory]
    [InlineData("model_config_list { config { nme: \"m\" } }", "1:30: tensorflow.serving.ModelConfig has no field named 'nme'")]
    [InlineData("model_config_list { config { name: \"m\" }", "expected '}' before the end of the text")]
    [InlineData("model_config_list { config { name: 3 } }", "'3' is not a valid value for field 'name'")]
    [InlineData("model_config_list {\n  config { name: \"m\n", "2:18: unterminated string")]
    public void ErrorsNameTheLineAndColumn(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => ProtoTextParser.Parse<ModelServerConfig>(text));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
