using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Tensorflow.Serving;

namespace ModelServer.Host.Grpc;

/// <summary>
/// Binds <c>tensorflow.serving.PredictionService</c> to <see cref="PredictionGrpcService"/> by hand instead of through
/// the generated base class, so that Predict can take its request through
/// <see cref="ProtobufMarshallers.PooledPredictRequest"/>: the generated binding fixes every method's marshaller.
/// The wire contract (service and method names, message types) is the generated one.
/// </summary>
internal sealed class PredictionServiceMethodProvider : IServiceMethodProvider<PredictionGrpcService>
{
    private static readonly string ServiceName = PredictionService.Descriptor.FullName;

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<PredictionGrpcService> context)
    {
        Add(context, "Predict", ProtobufMarshallers.PooledPredictRequest, PredictResponse.Parser, (service, request, call) => service.Predict(request, call));
        Add(context, "Classify", ProtobufMarshallers.For(ClassificationRequest.Parser), ClassificationResponse.Parser, (service, request, call) => service.Classify(request, call));
        Add(context, "Regress", ProtobufMarshallers.For(RegressionRequest.Parser), RegressionResponse.Parser, (service, request, call) => service.Regress(request, call));
        Add(context, "MultiInference", ProtobufMarshallers.For(MultiInferenceRequest.Parser), MultiInferenceResponse.Parser, (service, request, call) => service.MultiInference(request, call));
        Add(context, "GetModelMetadata", ProtobufMarshallers.For(GetModelMetadataRequest.Parser), GetModelMetadataResponse.Parser, (service, request, call) => service.GetModelMetadata(request, call));
    }

    private static void Add<TRequest, TResponse>(
        ServiceMethodProviderContext<PredictionGrpcService> context,
        string name,
        Marshaller<TRequest> request,
        MessageParser<TResponse> response,
        UnaryServerMethod<PredictionGrpcService, TRequest, TResponse> invoker)
        where TRequest : class
        where TResponse : class, IMessage<TResponse>, IBufferMessage
        => context.AddUnaryMethod(new Method<TRequest, TResponse>(MethodType.Unary, ServiceName, name, request, ProtobufMarshallers.For(response)), [], invoker);
}
