using Onnx;

namespace ModelServer.Trainer.Transfer;

/// <summary>
/// The tensors a graph can be cut at: after the node that makes one, nothing later reads any earlier tensor (but
/// initializers). In a ResNet these are the stem's outputs and each residual block's output; inside a block the
/// shortcut keeps the block's input alive, so there is no cut there.
/// </summary>
public static class GraphCuts
{
    /// <summary>The cut tensors in graph order (nodes must be topologically sorted, as ONNX requires).</summary>
    public static IReadOnlyList<string> Find(GraphProto graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var lastUse = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < graph.Node.Count; i++)
        {
            foreach (string input in graph.Node[i].Input)
            {
                lastUse[input] = i;
            }
        }

        foreach (var output in graph.Output)
        {
            lastUse[output.Name] = graph.Node.Count;
        }

        var live = new HashSet<string>(StringComparer.Ordinal);
        var cuts = new List<string>();
        for (int i = 0; i < graph.Node.Count; i++)
        {
            foreach (string output in graph.Node[i].Output)
            {
                if (lastUse.TryGetValue(output, out int last) && last > i)
                {
                    live.Add(output);
                }
            }

            // Only node outputs are ever live: initializers and graph inputs are never produced here.
            live.RemoveWhere(t => lastUse[t] <= i);
            if (live.Count == 1 && graph.Node[i].Output.Contains(live.First()))
            {
                cuts.Add(live.First());
            }
        }

        return cuts;
    }

    /// <summary>
    /// The input of the stage whose last residual block produces <paramref name="stageOutput"/>: walking back over
    /// blocks whose sum adds their own input (identity shortcuts), to the first block of the stage, whose shortcut
    /// is a projection (a strided 1×1 conv where the width changes), or to the first residual block of all.
    /// </summary>
    public static string StageInput(GraphProto graph, string stageOutput)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var producers = graph.Node.SelectMany(n => n.Output.Select(o => (Output: o, Node: n)))
            .ToDictionary(p => p.Output, p => p.Node, StringComparer.Ordinal);
        var cuts = Find(graph).ToList();
        string output = stageOutput;
        while (true)
        {
            if (!producers.TryGetValue(output, out var relu) || relu.OpType != "Relu"
                || !producers.TryGetValue(relu.Input[0], out var sum) || sum.OpType != "Add")
            {
                // Walked back past the first block over identity shortcuts only (ResNet's first stage keeps the
                // stem's width): the stage starts at the stem's output.
                return output != stageOutput
                    ? output
                    : throw new InvalidDataException($"'{output}' is not the output of a residual block (Relu of Add).");
            }

            // Nothing inside a block is a cut, so the cut before the block's sum is the block's input.
            int at = cuts.IndexOf(sum.Output[0]);
            if (at < 1)
            {
                throw new InvalidDataException($"The block ending at '{output}' has no single input tensor.");
            }

            string input = cuts[at - 1];
            if (!sum.Input.Contains(input))
            {
                return input;
            }

            output = input;
        }
    }
}
