using System.Text.Json.Serialization;

namespace ModelServer.Runtime.Configuration;

[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(ModelConfigFile))]
internal sealed partial class ModelConfigJsonContext : JsonSerializerContext
{
}
