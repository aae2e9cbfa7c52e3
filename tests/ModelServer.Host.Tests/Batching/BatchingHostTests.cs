using System.Net;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Options;
using ModelServer.Host.Tests.Grpc;
using ModelServer.Host.Tests.Infrastructure;
using ModelServer.Runtime.Batching;
using Tensorflow.Serving;

namespace ModelServer.Host.Tests.Batching;

/// <summary>Batching on the real request path: gRPC Predict and REST predict through the host.</summary>
public sealed class BatchingHostTests
{
    private const string Parameters = "max_batch_size { value: 16 } batch_timeout_micros { value: 500 } max_enqueued_batches { value: 100 } num_batch_threads { value: 2 }";

    private static float[] Rows(int caller, int rows) => Enumerable.Range(0, rows * 4).Select(i => (caller * 0.5f) - (i * 0.25f)).ToArray();

    private static PredictRequest Request(float[] values, int rows)
    {
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "dense" } };
        request.Inputs.Add("x", GrpcPredictTests.FloatTensor([rows, 4], values));
        return request;
    }

    private static int QueuedRequests(BatchingServer server) => server.GetService<BatchingMetrics>().Snapshot().SingleOrDefault()?.QueuedRequests ?? 0;

    private static long QueuedRows(BatchingServer server) => server.GetService<BatchingMetrics>().Snapshot().SingleOrDefault()?.QueuedRows ?? 0;

    /// <summary>Polls a condition the server reaches asynchronously (bounded; no fixed sleep, no timing assert).</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(1, limit.Token);
        }
    }

    [Fact]
    public async Task ConcurrentGrpcCallers_GetExactlyTheirOwnRows()
    {
        using var batching = new BatchingServer(Parameters);
        using var direct = new BatchingServer(Parameters, """{ "batching": { "enabled": false } }""");

        batching.Executor.Close();
        var calls = Enumerable.Range(0, 64).Select(c => batching.Prediction.PredictAsync(Request(Rows(c, 1 + (c % 2)), 1 + (c % 2))).ResponseAsync).ToArray();
        // Every call has arrived once each of its rows is either queued or in a batch held at the gate.
        var totalRows = Enumerable.Range(0, 64).Sum(c => 1 + (c % 2));
        await WaitUntilAsync(() => QueuedRows(batching) + batching.Executor.RunRows.Sum() == totalRows);
        batching.Executor.Open();
        var replies = await Task.WhenAll(calls);

        for (var c = 0; c < 64; c++)
        {
            var alone = await direct.Prediction.PredictAsync(Request(Rows(c, 1 + (c % 2)), 1 + (c % 2)));
            Assert.Equal(alone.Outputs["y"].FloatVal, replies[c].Outputs["y"].FloatVal);
            Assert.Equal(alone.Outputs["y"].TensorShape, replies[c].Outputs["y"].TensorShape);
        }

        Assert.True(batching.Executor.RunRows.Count < 64, "requests were merged");
        Assert.True(direct.GetService<BatchingInferenceRunner>().Queues.Count == 0, "config.json turned batching off for the direct server");
    }

    [Fact]
    public async Task ConcurrentCallersInTensorContent_GetTheirOwnRows_WhilePooledArraysAreReused()
    {
        // tensor_content arrives in pooled arrays that go back when each call ends: rows merged from them must be
        // each caller's own, in a gated wave (all merged at once) and in free-running waves that reuse the arrays.
        using var batching = new BatchingServer(Parameters);
        using var direct = new BatchingServer(Parameters, """{ "batching": { "enabled": false } }""");
        static PredictRequest ContentRequest(int caller)
        {
            var rows = 1 + (caller % 3);
            var tensor = new Tensorflow.TensorProto { Dtype = Tensorflow.DataType.DtFloat, TensorShape = GrpcPredictTests.Shape(rows, 4) };
            tensor.TensorContent = Google.Protobuf.ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Rows(caller, rows).AsSpan()));
            var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "dense" } };
            request.Inputs.Add("x", tensor);
            return request;
        }

        var expected = new PredictResponse[64];
        for (var c = 0; c < 64; c++)
        {
            expected[c] = await direct.Prediction.PredictAsync(ContentRequest(c));
        }

        batching.Executor.Close();
        var gated = Enumerable.Range(0, 64).Select(c => batching.Prediction.PredictAsync(ContentRequest(c)).ResponseAsync).ToArray();
        var totalRows = Enumerable.Range(0, 64).Sum(c => 1 + (c % 3));
        await WaitUntilAsync(() => QueuedRows(batching) + batching.Executor.RunRows.Sum() == totalRows);
        batching.Executor.Open();
        var waves = new List<PredictResponse[]> { await Task.WhenAll(gated) };
        for (var wave = 0; wave < 3; wave++)
        {
            waves.Add(await Task.WhenAll(Enumerable.Range(0, 64).Select(c => batching.Prediction.PredictAsync(ContentRequest(c)).ResponseAsync)));
        }

        foreach (var replies in waves)
        {
            for (var c = 0; c < 64; c++)
            {
                Assert.Equal(expected[c].Outputs["y"], replies[c].Outputs["y"]);
            }
        }

        Assert.True(batching.Executor.RunRows.Count < 4 * 64, "requests were merged");
    }

    [Fact]
    public async Task RestPredict_GoesThroughTheBatcher()
    {
        using var server = new BatchingServer(Parameters);
        using var content = new StringContent("""{"instances": [[1, 2, 3, 4], [0, 0, 0, 0]]}""", Encoding.UTF8, "application/json");

        using var response = await server.Http.PostAsync(new Uri("/v1/models/dense:predict", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([2L], server.Executor.RunRows);
        Assert.Single(server.GetService<BatchingInferenceRunner>().Queues);
    }

    [Fact]
    public async Task FullQueue_IsUnavailableOnGrpc_And503OnRest_WithTfServingsMessage()
    {
        using var server = new BatchingServer("max_batch_size { value: 1 } max_enqueued_batches { value: 1 } num_batch_threads { value: 1 }");
        server.Executor.Close();
        var running = server.Prediction.PredictAsync(Request(Rows(0, 1), 1)).ResponseAsync;
        await server.Executor.WaitForRunAsync();
        var queued = server.Prediction.PredictAsync(Request(Rows(1, 1), 1)).ResponseAsync;
        await WaitUntilAsync(() => QueuedRequests(server) == 1);

        var grpc = await Assert.ThrowsAsync<RpcException>(() => server.Prediction.PredictAsync(Request(Rows(2, 1), 1)).ResponseAsync);
        using var content = new StringContent("""{"instances": [[1, 2, 3, 4]]}""", Encoding.UTF8, "application/json");
        using var rest = await server.Http.PostAsync(new Uri("/v1/models/dense:predict", UriKind.Relative), content);

        Assert.Equal(StatusCode.Unavailable, grpc.StatusCode);
        Assert.StartsWith("The batch scheduling queue to which this task was submitted is full", grpc.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, rest.StatusCode);
        Assert.Contains("The batch scheduling queue to which this task was submitted is full", await rest.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Turned away before its body is read: even a body that would not parse gets the 503, not a 400.
        using var broken = new StringContent("{not json", Encoding.UTF8, "application/json");
        using var early = await server.Http.PostAsync(new Uri("/v1/models/dense:predict", UriKind.Relative), broken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
        server.Executor.Open();
        await Task.WhenAll(running, queued);
    }

    [Fact]
    public async Task GrpcDeadlinePassingInTheQueue_IsDeadlineExceeded_AndNeverRuns()
    {
        using var server = new BatchingServer("max_batch_size { value: 4 } num_batch_threads { value: 1 }");
        server.Executor.Close();
        var running = server.Prediction.PredictAsync(Request(Rows(0, 1), 1)).ResponseAsync;
        await server.Executor.WaitForRunAsync();

        var late = await Assert.ThrowsAsync<RpcException>(() => server.Prediction.PredictAsync(Request(Rows(1, 1), 1), deadline: DateTime.UtcNow.AddMilliseconds(200)).ResponseAsync);
        server.Executor.Open();
        await running;

        // The server answers DEADLINE_EXCEEDED and then resets the stream; in-memory TestServer can surface that reset
        // first ("reset the request with error code 8") when the server's deadline timer beats the client's.
        Assert.True(
            late.StatusCode == StatusCode.DeadlineExceeded || (late.StatusCode == StatusCode.Internal && late.Status.Detail.Contains("reset the request with error code 8", StringComparison.Ordinal)),
            late.Status.ToString());
        Assert.Equal([1L], server.Executor.RunRows);
        Assert.Equal(1, server.GetService<BatchingMetrics>().Snapshot().Single().Dropped);
    }

    [Fact]
    public async Task RestTimeoutPassingInTheQueue_Is504_AndNeverRuns()
    {
        using var server = new BatchingServer("max_batch_size { value: 4 } num_batch_threads { value: 1 }", restTimeoutMs: 200);
        server.Executor.Close();
        var running = server.Prediction.PredictAsync(Request(Rows(0, 1), 1)).ResponseAsync;
        await server.Executor.WaitForRunAsync();
        using var content = new StringContent("""{"instances": [[1, 2, 3, 4]]}""", Encoding.UTF8, "application/json");

        using var late = await server.Http.PostAsync(new Uri("/v1/models/dense:predict", UriKind.Relative), content);
        server.Executor.Open();
        await running;

        Assert.Equal(HttpStatusCode.GatewayTimeout, late.StatusCode);
        Assert.Contains("--rest_api_timeout_in_ms", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal([1L], server.Executor.RunRows);
        Assert.Equal(1, server.GetService<BatchingMetrics>().Snapshot().Single().Dropped);
    }

    [Fact]
    public async Task ModelConfigSection_EnablesBatching_WithoutTheFlag()
    {
        using var server = new BatchingServer(string.Empty, """{ "batching": { "max_batch_size": 8, "allowed_batch_sizes": [4, 8], "num_batch_threads": 1 } }""", enableBatching: false);

        var reply = await server.Prediction.PredictAsync(Request(Rows(3, 3), 3));

        Assert.Equal(9, reply.Outputs["y"].FloatVal.Count);
        Assert.Equal([4L], server.Executor.RunRows);
    }

    [Fact]
    public void InvalidParametersFile_StopsTheServer_NamingTheProblem()
    {
        var error = HostStartFailure.Capture<OptionsValidationException>(() =>
        {
            using var server = new BatchingServer("max_batch_size { value: 8 } allowed_batch_sizes: 2 allowed_batch_sizes: 4");
        });

        Assert.Contains("Last entry in allowed_batch_sizes must match max_batch_size; last entry was 4; expected 8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnparsableParametersFile_StopsTheServer_WithLineAndColumn()
    {
        var error = HostStartFailure.Capture<OptionsValidationException>(() =>
        {
            using var server = new BatchingServer("max_batch_size { value: 8 }\nnot_a_field: 3");
        });

        Assert.Contains("batching.pbtxt:2:", error.Message, StringComparison.Ordinal);
    }
}
