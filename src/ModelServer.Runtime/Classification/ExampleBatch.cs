using ModelServer.Runtime.Models;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;

namespace ModelServer.Runtime.Classification;

/// <summary>Stacks one feature of every example into an input batch <c>[n, …]</c> of the input's dtype.</summary>
internal static class ExampleBatch
{
    public static ExampleFeature? Find(IReadOnlyDictionary<string, ExampleFeature> example, string name, IReadOnlyList<string> aliases)
    {
        if (example.TryGetValue(name, out var feature))
        {
            return feature;
        }

        foreach (var alias in aliases)
        {
            if (example.TryGetValue(alias, out feature))
            {
                return feature;
            }
        }

        return null;
    }

    public static Tensor Build(IReadOnlyList<IReadOnlyDictionary<string, ExampleFeature>> examples, TensorSpec spec)
    {
        // Values per example: the input's dims after the batch dim; a free dim takes the first example's count.
        long fixedPerExample = 1;
        bool free = false;
        for (int d = 1; d < spec.Shape.Length; d++)
        {
            if (spec.Shape[d] < 0)
            {
                free = true;
            }
            else
            {
                fixedPerExample *= spec.Shape[d];
            }
        }

        int perExample = -1;
        var features = new ExampleFeature[examples.Count];
        for (int i = 0; i < examples.Count; i++)
        {
            features[i] = Find(examples[i], spec.Name, [])
                ?? throw ServingException.InvalidArgument($"example {i} has no feature '{spec.Name}' for input '{spec.Name}'");
            int count = features[i].Count;
            perExample = perExample < 0 ? count : perExample;
            if (count != perExample || (!free && count != fixedPerExample) || (free && fixedPerExample > 0 && count % fixedPerExample != 0))
            {
                throw ServingException.InvalidArgument(
                    $"example {i}: feature '{spec.Name}' has {count} values; input '{spec.Name}' of shape {TensorShape.Format(spec.Shape)} needs {(free ? $"the same count in every example" : fixedPerExample.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
            }
        }

        long[] shape = spec.Shape.Length <= 1
            ? (perExample == 1 ? [examples.Count] : throw ServingException.InvalidArgument($"input '{spec.Name}' takes one value per example, got {perExample}"))
            : Shape(spec, examples.Count, perExample, fixedPerExample);

        if (spec.DataType == TensorDataType.String)
        {
            return Tensor.FromStrings(shape, [.. features.SelectMany(f => f.Bytes ?? throw Mismatch(spec, f))]);
        }

        var tensor = Tensor.Rent(spec.DataType, shape);
        try
        {
            int offset = 0;
            foreach (var feature in features)
            {
                Write(tensor, spec, feature, offset);
                offset += feature.Count;
            }

            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    private static long[] Shape(TensorSpec spec, int n, int perExample, long fixedPerExample)
    {
        var shape = (long[])spec.Shape.Clone();
        shape[0] = n;
        for (int d = 1; d < shape.Length; d++)
        {
            if (shape[d] < 0)
            {
                // Only one free dim can be inferred; further free dims are 1.
                shape[d] = perExample / fixedPerExample;
                fixedPerExample = perExample;
            }
        }

        return shape;
    }

    private static void Write(Tensor tensor, TensorSpec spec, ExampleFeature feature, int offset)
    {
        switch (spec.DataType)
        {
            case TensorDataType.Float:
                var floats = tensor.AsWritableSpan<float>();
                for (int j = 0; j < feature.Count; j++)
                {
                    floats[offset + j] = feature.Floats?[j] ?? (float)(feature.Int64s ?? throw Mismatch(spec, feature))[j];
                }

                break;
            case TensorDataType.Double:
                var doubles = tensor.AsWritableSpan<double>();
                for (int j = 0; j < feature.Count; j++)
                {
                    doubles[offset + j] = feature.Floats?[j] ?? (double)(feature.Int64s ?? throw Mismatch(spec, feature))[j];
                }

                break;
            case TensorDataType.Int64:
                var longs = tensor.AsWritableSpan<long>();
                var source = feature.Int64s ?? throw Mismatch(spec, feature);
                for (int j = 0; j < feature.Count; j++)
                {
                    longs[offset + j] = source[j];
                }

                break;
            case TensorDataType.Int32:
                var ints = tensor.AsWritableSpan<int>();
                var values = feature.Int64s ?? throw Mismatch(spec, feature);
                for (int j = 0; j < feature.Count; j++)
                {
                    ints[offset + j] = values[j] is >= int.MinValue and <= int.MaxValue
                        ? (int)values[j]
                        : throw ServingException.InvalidArgument($"feature '{spec.Name}' value {values[j]} does not fit input '{spec.Name}' (DT_INT32)");
                }

                break;
            default:
                throw ServingException.InvalidArgument(
                    $"input '{spec.Name}' is {spec.DataType.ToTfName()}; classify examples can fill float, double, int32, int64 and string inputs");
        }
    }

    private static ServingException Mismatch(TensorSpec spec, ExampleFeature feature)
        => ServingException.InvalidArgument($"feature '{spec.Name}' holds {feature.KindName} values but input '{spec.Name}' is {spec.DataType.ToTfName()}");
}
