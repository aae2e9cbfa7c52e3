using Grpc.Core;
using ModelServer.Host.Tests.Grpc;
using Tensorflow.Serving;

namespace ModelServer.Host.Tests.Admission;

/// <summary>Past MaxConcurrentRequests plus MaxQueuedRequests, inference is refused at once with UNAVAILABLE; other calls still pass.</summary>
public sealed class InferenceAdmissionTests
{
    [Fact]
    public async Task RequestsBeyondTheLimitAreRefusedAtOnceAndTheHeldOneCompletes()
    {
        using var server = new HeldServer(new Dictionary<string, string?>
        {
            ["ModelServer:MaxConcurrentRequests"] = "1",
            ["ModelServer:MaxQueuedRequests"] = "0",
        });

        // The real ONNX Runtime executor behind a gate: a request inside it keeps the only slot.
        var executor = server.Executor;
        var host = server.Host;
        using var client = host.CreateClient();
        var (channel, grpc) = server.CreateGrpcClient();
        using var grpcChannel = channel;
        try
        {
            var inFlight = await server.HoldOneRequestAsync(client, "1.0, 2.0");
            Assert.Single(executor.RunRows);

            using var refused = await HeldServer.Predict(client, "1.0");
            Assert.Equal(503, (int)refused.StatusCode);
            Assert.Contains("too many inference requests in flight", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "half_plus_two" } };
            request.Inputs.Add("x", GrpcPredictTests.FloatTensor([1], 1));
            var error = await Assert.ThrowsAsync<RpcException>(async () => await grpc.PredictAsync(request));
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);

            // Status is not inference: it is never limited.
            using var status = await client.GetAsync(new Uri("/v1/models/half_plus_two", UriKind.Relative));
            Assert.Equal(200, (int)status.StatusCode);

            executor.Open();
            using var completed = await inFlight.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal("""{"predictions":[2.5,3.0]}""", await completed.Content.ReadAsStringAsync());

            // The slot is free again.
            var reply = await grpc.PredictAsync(request);
            Assert.Equal(2.5f, reply.Outputs["y"].FloatVal[0]);
        }
        finally
        {
            executor.Open();
        }
    }

    [Fact]
    public async Task GrpcNeverWaitsForASlotWhileRestQueues()
    {
        // Over HTTP/2, waiting requests' bodies would fill the connection's flow-control window and starve the
        // request holding the slot; gRPC is refused at once even when REST requests may queue.
        using var server = new HeldServer(new Dictionary<string, string?>
        {
            ["ModelServer:MaxConcurrentRequests"] = "1",
            ["ModelServer:MaxQueuedRequests"] = "4",
        });
        var executor = server.Executor;
        var host = server.Host;
        using var client = host.CreateClient();
        var (channel, grpc) = server.CreateGrpcClient();
        using var grpcChannel = channel;
        try
        {
            var inFlight = await server.HoldOneRequestAsync(client, "1.0");

            // A second REST request waits in the queue (it does not fail) ...
            var queued = HeldServer.Predict(client, "5.0");
            await Task.Delay(200);
            Assert.False(queued.IsCompleted);

            // ... while gRPC is refused at once.
            var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "half_plus_two" } };
            request.Inputs.Add("x", GrpcPredictTests.FloatTensor([1], 1));
            var error = await Assert.ThrowsAsync<RpcException>(async () => await grpc.PredictAsync(request, deadline: DateTime.UtcNow.AddSeconds(30)));
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);

            executor.Open();
            using var first = await inFlight.WaitAsync(TimeSpan.FromSeconds(30));
            using var second = await queued.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal("""{"predictions":[2.5]}""", await first.Content.ReadAsStringAsync());
            Assert.Equal("""{"predictions":[4.5]}""", await second.Content.ReadAsStringAsync());
        }
        finally
        {
            executor.Open();
        }
    }

    [Fact]
    public async Task ARestRequestWaitsForASlotAtMostTheQueueWait()
    {
        using var server = new HeldServer(new Dictionary<string, string?>
        {
            ["ModelServer:MaxConcurrentRequests"] = "1",
            ["ModelServer:MaxQueuedRequests"] = "4",
            ["ModelServer:MaxQueueWaitMs"] = "200",
        });
        var executor = server.Executor;
        var host = server.Host;
        using var client = host.CreateClient();
        try
        {
            var inFlight = await server.HoldOneRequestAsync(client, "1.0");

            using var waited = await HeldServer.Predict(client, "5.0")
                .WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(503, (int)waited.StatusCode);
            Assert.Contains("too many inference requests in flight", await waited.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            executor.Open();
            using var first = await inFlight.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(200, (int)first.StatusCode);
        }
        finally
        {
            executor.Open();
        }
    }
}
