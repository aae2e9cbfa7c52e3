using ModelServer.Host.Configuration;

namespace ModelServer.Host.Tests.Configuration;

public sealed class CommandLineFlagsTests
{
    [Fact]
    public void TfServingFlagsBecomeConfigurationKeys()
    {
        var args = CommandLineFlags.Normalize(["--port=9000", "--rest_api_port", "9001", "--enable_serialization_as_tensor_content", "--model_base_path=/m", "--execution_provider=cpu"]);
        Assert.Equal(
            ["--ModelServer:Port=9000", "--ModelServer:RestApiPort=9001", "--ModelServer:EnableSerializationAsTensorContent=true", "--ModelServer:ModelBasePath=/m", "--ModelServer:OnnxRuntime:ExecutionProvider=cpu"],
            args);
    }

    [Fact]
    public void UnknownFlagsAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => CommandLineFlags.Normalize(["--prot=1"]));
        Assert.StartsWith("Unknown flag --prot.", error.Message, StringComparison.Ordinal);
    }
}
