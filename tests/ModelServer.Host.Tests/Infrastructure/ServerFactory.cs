using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using ModelServer.Testing;

namespace ModelServer.Host.Tests.Infrastructure;

/// <summary>
/// The real host (Program) over a temporary model repository, driven in memory through TestServer.
/// Settings are passed as configuration, as flags or environment variables would.
/// </summary>
public sealed class ServerFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public ServerFactory(string repository, IDictionary<string, string?>? settings = null)
    {
        Repository = repository;
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>(), StringComparer.Ordinal)
        {
            ["ModelServer:ModelRepository"] = repository,
            ["ModelServer:OnnxRuntime:ExecutionProvider"] = "cpu",
        };
    }

    public string Repository { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A server whose repository holds the standard test models: half_plus_two, two_inputs and identity models per dtype.</summary>
    public static ServerFactory WithStandardModels(TempDirectory directory, IDictionary<string, string?>? settings = null)
    {
        TestModels.Publish(directory.Path, "half_plus_two", 1, TestModels.HalfPlusTwo());
        TestModels.Publish(directory.Path, "two_inputs", 1, TestModels.TwoInputs());
        TestModels.Publish(directory.Path, "strings", 1, TestModels.Identity(Onnx.TensorProto.Types.DataType.String, "text", "echo"));
        TestModels.Publish(directory.Path, "bytes", 1, TestModels.Identity(Onnx.TensorProto.Types.DataType.String, "in", "out_bytes"));
        TestModels.Publish(directory.Path, "ints", 1, TestModels.Identity(Onnx.TensorProto.Types.DataType.Int32));
        TestModels.Publish(directory.Path, "int64s", 1, TestModels.Identity(Onnx.TensorProto.Types.DataType.Int64));
        TestModels.Publish(directory.Path, "bools", 1, TestModels.Identity(Onnx.TensorProto.Types.DataType.Bool));
        TestModels.Publish(directory.Path, "doubles", 1, TestModels.Identity(Onnx.TensorProto.Types.DataType.Double));
        TestModels.Publish(directory.Path, "halves", 1, TestModels.Identity(Onnx.TensorProto.Types.DataType.Float16));
        TestModels.Publish(directory.Path, "uint8s", 1, TestModels.Identity(Onnx.TensorProto.Types.DataType.Uint8));
        return new ServerFactory(directory.Path, settings);
    }
}
