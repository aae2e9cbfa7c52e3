using Onnx;
using ModelServer.Trainer.Transfer;

namespace ModelServer.Trainer.Tests.Transfer;

public sealed class GraphCutsTests
{
    [Fact]
    public void Cuts_are_the_stem_and_block_ends_never_inside_a_block()
    {
        var graph = TwoBlockStage();

        Assert.Equal(["r0", "sum1", "r1", "sum2", "r2"], GraphCuts.Find(graph));
    }

    [Fact]
    public void A_stage_starts_where_a_projection_shortcut_begins_not_at_an_identity_block()
    {
        var graph = TwoBlockStage();

        // r2's block adds its own input r1 (identity): the stage goes on back to the projection block that reads r0.
        Assert.Equal("r0", GraphCuts.StageInput(graph, "r2"));
        Assert.Equal("r0", GraphCuts.StageInput(graph, "r1"));
        Assert.Throws<InvalidDataException>(() => GraphCuts.StageInput(graph, "r0"));
    }

    [Fact]
    public void A_first_stage_of_identity_blocks_starts_at_the_stem()
    {
        var graph = TwoBlockStage();
        // Make the first block an identity block too (as ResNet-18's first stage, which keeps the stem's width).
        graph.Node.Single(n => n.Name == "sum1").Input[1] = "r0";
        graph.Node.Remove(graph.Node.Single(n => n.Name == "p1"));

        Assert.Equal("r0", GraphCuts.StageInput(graph, "r2"));
    }

    [Fact]
    public void In_the_synthetic_resnet_the_second_stage_starts_after_the_stem()
    {
        var model = SyntheticBackbone.Create();

        Assert.Equal("pool1_out", GraphCuts.StageInput(model.Graph, FirstBlockOutput(model.Graph)));
    }

    private static string FirstBlockOutput(GraphProto graph)
    {
        string sum = graph.Node.First(n => n.OpType == "Add").Output[0];
        return graph.Node.First(n => n.OpType == "Relu" && n.Input[0] == sum).Output[0];
    }

    /// <summary>x → relu r0 → [conv a1 → conv a2, conv p1 (projection)] → sum1 → r1 → [conv b1] + r1 → sum2 → r2.</summary>
    private static GraphProto TwoBlockStage()
    {
        var graph = new GraphProto();
        graph.Input.Add(new ValueInfoProto { Name = "x" });
        graph.Output.Add(new ValueInfoProto { Name = "r2" });
        Add(graph, "Relu", ["x"], "r0");
        Add(graph, "Conv", ["r0", "w_a1"], "a1");
        Add(graph, "Conv", ["a1", "w_a2"], "a2");
        Add(graph, "Conv", ["r0", "w_p1"], "p1");
        Add(graph, "Add", ["a2", "p1"], "sum1");
        Add(graph, "Relu", ["sum1"], "r1");
        Add(graph, "Conv", ["r1", "w_b1"], "b1");
        Add(graph, "Add", ["b1", "r1"], "sum2");
        Add(graph, "Relu", ["sum2"], "r2");
        foreach (string weight in new[] { "w_a1", "w_a2", "w_p1", "w_b1" })
        {
            graph.Initializer.Add(new TensorProto { Name = weight });
        }

        return graph;
    }

    private static void Add(GraphProto graph, string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        graph.Node.Add(node);
    }
}
