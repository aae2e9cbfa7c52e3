using ModelServer.Runtime.Classification;
using ModelServer.Runtime.Serving;
using Tensorflow;
using Tensorflow.Serving;

namespace ModelServer.Host.Grpc;

/// <summary>
/// <c>tensorflow.serving.Input</c> (tf.Example lists) to the Runtime's example features. Bytes borrow the
/// request message's memory (no copy); the message outlives the call.
/// </summary>
internal static class ExampleConverter
{
    public static IReadOnlyList<IReadOnlyDictionary<string, ExampleFeature>> Convert(Input? input, int maxExamples)
    {
        if (input is null || input.KindCase == Input.KindOneofCase.None)
        {
            throw ServingException.InvalidArgument("Input is empty: set example_list or example_list_with_context");
        }

        var (examples, context) = input.KindCase == Input.KindOneofCase.ExampleList
            ? (input.ExampleList.Examples, null)
            : (input.ExampleListWithContext.Examples, input.ExampleListWithContext.Context);
        if (examples.Count == 0)
        {
            throw ServingException.InvalidArgument("Input is empty: no examples to classify");
        }

        if (examples.Count > maxExamples)
        {
            throw ServingException.InvalidArgument($"{examples.Count} examples in one request, over the limit of {maxExamples} (Images:MaxImagesPerRequest)");
        }

        var result = new IReadOnlyDictionary<string, ExampleFeature>[examples.Count];
        for (var i = 0; i < examples.Count; i++)
        {
            var features = new Dictionary<string, ExampleFeature>(StringComparer.Ordinal);
            Add(features, examples[i], $"example {i}");
            if (context is not null)
            {
                Add(features, context, "context");
            }

            result[i] = features;
        }

        return result;
    }

    private static void Add(Dictionary<string, ExampleFeature> target, Example example, string what)
    {
        if (example.Features is null)
        {
            return;
        }

        foreach (var (name, feature) in example.Features.Feature)
        {
            // An example's own feature wins over the context's feature of the same name.
            target.TryAdd(name, feature.KindCase switch
            {
                Feature.KindOneofCase.BytesList => ExampleFeature.FromBytes([.. feature.BytesList.Value.Select(b => b.Memory)]),
                Feature.KindOneofCase.FloatList => ExampleFeature.FromFloats(feature.FloatList.Value),
                Feature.KindOneofCase.Int64List => ExampleFeature.FromInt64s(feature.Int64List.Value),
                _ => throw ServingException.InvalidArgument($"{what}: feature '{name}' has no value list"),
            });
        }
    }
}
