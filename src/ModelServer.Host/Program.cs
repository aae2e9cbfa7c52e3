using Grpc.AspNetCore.Server.Model;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using ModelServer.Host.Batching;
using ModelServer.Host.Admission;
using ModelServer.Host.Configuration;
using ModelServer.Host.Grpc;
using ModelServer.Host.Hosting;
using ModelServer.Host.Memory;
using ModelServer.Host.ConfigReload;
using ModelServer.Host.Rest;
using ModelServer.Host.Rest.Classify;
using ModelServer.Runtime.Classification;
using ModelServer.Runtime.Imaging;
using ModelServer.Runtime.Inference;
using ModelServer.Runtime.Memory;
using ModelServer.Runtime.Onnx;
using ModelServer.Runtime.Repository;
using ModelServer.Runtime.Serving;

string[] normalized;
try
{
    normalized = CommandLineFlags.Normalize(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

var builder = WebApplication.CreateBuilder(normalized);

builder.Services.AddOptions<ServingOptions>().BindConfiguration("ModelServer").ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<OnnxRuntimeOptions>().BindConfiguration("ModelServer:OnnxRuntime").ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<ModelManager>();
builder.Services.AddModelServerBatching();
builder.Services.AddSingleton<Predictor>();
builder.Services.AddSingleton<RestApi>();
builder.Services.AddOptions<RepositoryWatcherOptions>().BindConfiguration("ModelServer").ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<ModelConfigFileOptions>().BindConfiguration("ModelServer").ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<RepositoryWatcher>();
builder.Services.AddSingleton<ModelConfigReloader>();
// The config file is read before the watcher's first poll: hosted services start in registration order.
builder.Services.AddHostedService<ModelConfigFileService>();
builder.Services.AddHostedService(services => services.GetRequiredService<RepositoryWatcher>());
builder.Services.AddOptions<ImageOptions>().BindConfiguration(ImageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<ImageBatchDecoder>();
builder.Services.AddSingleton<ImageInputBinder>();
builder.Services.AddSingleton<Classifier>();
builder.Services.AddSingleton<ClassifyEndpoint>();
builder.Services.AddHostedService<StartupReport>();
builder.Services.AddOptions<MemoryReclaimOptions>().BindConfiguration(MemoryReclaimOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<IMemoryProbe, ProcessMemoryProbe>();
builder.Services.AddHostedService<IdleMemoryReclaimer>();

var serving = builder.Configuration.GetSection("ModelServer").Get<ServingOptions>() ?? new ServingOptions();
if (serving.ReclaimableTransportMemoryPool)
{
    // Kestrel's buffers on the compactable heap, dropped when idle (its own pool's pinned blocks fragment the heap).
    builder.Services.AddReclaimableTransportMemoryPool();
}

builder.Services.AddGrpc(options =>
{
    // gRPC's default 4 MB receive limit is too small for image batches; raised deliberately to the same
    // request limit REST uses, and checked by gRPC before the message is buffered.
    options.MaxReceiveMessageSize = serving.MaxRequestBytes;
    options.MaxSendMessageSize = null;
    options.EnableDetailedErrors = false;
});

builder.Services.AddSingleton<IServiceMethodProvider<PredictionGrpcService>, PredictionServiceMethodProvider>();
builder.Services.AddSingleton<InferenceAdmission>();

builder.Services.Configure<SocketTransportOptions>(sockets => sockets.Backlog = serving.ListenBacklog);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Limits.MaxRequestBodySize = serving.MaxRequestBytes;
    // HTTP/1.1 bytes buffered per connection ahead of the app (default 1 MB). Under overload thousands of
    // connections each pushing a 0.5 MB JSON body filled that buffer while waiting for a slot: 120 MB -> 830 MB RSS,
    // live in Kestrel's pool. 64 KB keeps a reader busy (the body is read as it is parsed) and bounds the rest.
    kestrel.Limits.MaxRequestBufferSize = 64 * 1024;
    // 100 concurrent streams per connection, gRPC's usual server setting: a client with more calls in flight opens
    // another connection (each with its own flow-control window) instead of piling 1000 bodies onto one.
    kestrel.Limits.Http2.MaxStreamsPerConnection = 100;
    kestrel.ListenAnyIP(serving.Port, listen => listen.Protocols = HttpProtocols.Http2);
    if (serving.RestApiPort != 0 && serving.RestApiPort != serving.Port)
    {
        kestrel.ListenAnyIP(serving.RestApiPort, listen => listen.Protocols = HttpProtocols.Http1);
    }
});

var app = builder.Build();
var admission = app.Services.GetRequiredService<InferenceAdmission>();
app.Use(admission.InvokeAsync);
app.MapGrpcService<PredictionGrpcService>();
app.MapGrpcService<ModelGrpcService>();
RestApi.Map(app);
await app.RunAsync().ConfigureAwait(false);
return 0;
