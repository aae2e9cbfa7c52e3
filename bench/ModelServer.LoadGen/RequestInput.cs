using System.Text.Json;

namespace ModelServer.LoadGen;

/// <summary>The request every send repeats: random floats for the model's inputs, or values read from a JSON file.</summary>
internal sealed class RequestInput
{
    private RequestInput(IReadOnlyList<InputTensor> tensors) => Tensors = tensors;

    public IReadOnlyList<InputTensor> Tensors { get; }

    /// <summary>Random values in [0, 1) for each input of <paramref name="signature"/> (name, shape with -1 dims), batch = rows.</summary>
    public static RequestInput Random(IReadOnlyList<(string Name, long[] Shape)> signature, int rows, int seed = 7)
    {
        var random = new Random(seed);
        var tensors = new List<InputTensor>();
        foreach (var (name, signatureShape) in signature)
        {
            var shape = signatureShape.Select((d, i) => d >= 0 ? d : i == 0 ? rows : 1).ToArray();
            var count = shape.Aggregate(1L, (a, d) => a * d);
            if (count > 64 * 1024 * 1024)
            {
                throw new ArgumentException($"Input {name} of shape [{string.Join(',', shape)}] is too large for the load generator.");
            }

            var values = new float[count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = random.NextSingle();
            }

            tensors.Add(new InputTensor(name, shape, values));
        }

        return new RequestInput(tensors);
    }

    /// <summary>
    /// Reads TF Serving REST JSON: <c>{"instances": [...]}</c> for a model with one input named <paramref name="singleInputName"/>,
    /// or <c>{"inputs": {"name": [...]}}</c>. Numbers only.
    /// </summary>
    public static RequestInput FromJsonFile(string path, string singleInputName)
    {
        if (new FileInfo(path).Length > 512L * 1024 * 1024)
        {
            throw new ArgumentException($"{path} is larger than 512 MB.");
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        var tensors = new List<InputTensor>();
        if (root.TryGetProperty("instances", out var instances))
        {
            tensors.Add(ToTensor(singleInputName, instances));
        }
        else if (root.TryGetProperty("inputs", out var inputs) && inputs.ValueKind == JsonValueKind.Object)
        {
            foreach (var input in inputs.EnumerateObject())
            {
                tensors.Add(ToTensor(input.Name, input.Value));
            }
        }
        else
        {
            throw new ArgumentException($"{path} has neither \"instances\" nor an \"inputs\" object.");
        }

        return new RequestInput(tensors);
    }

    private static InputTensor ToTensor(string name, JsonElement value)
    {
        var shape = new List<long>();
        for (var level = value; level.ValueKind == JsonValueKind.Array; level = level.GetArrayLength() > 0 ? level[0] : default)
        {
            shape.Add(level.GetArrayLength());
            if (level.GetArrayLength() == 0)
            {
                break;
            }
        }

        var values = new List<float>();
        Flatten(value, values);
        if (values.Count != shape.Aggregate(1L, (a, d) => a * d))
        {
            throw new ArgumentException($"Input {name} is ragged.");
        }

        return new InputTensor(name, shape.ToArray(), values.ToArray());
    }

    private static void Flatten(JsonElement value, List<float> values)
    {
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                Flatten(item, values);
            }
        }
        else
        {
            values.Add(value.GetSingle());
        }
    }
}
