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
        context.AddUnaryMethod(
            Unary("Predict", ProtobufMarshallers.PooledPredictRequest, ProtobufMarshallers.For(PredictResponse.Parser)),
            [],
            (service, request, call) => service.Predict(request, call));
        context.AddUnaryMethod(
            Unary("Classify", ProtobufMarshallers.For(ClassificationRequest.Parser), ProtobufMarshallers.For(ClassificationResponse.Parser)),
            [],
            (service, request, call) => service.Classify(request, call));
        context.AddUnaryMethod(
            Unary("Regress", ProtobufMarshallers.For(RegressionRequest.Parser), ProtobufMarshallers.For(RegressionResponse.Parser)),
            [],
            (service, request, call) => service.Regress(request, call));
        context.AddUnaryMethod(
            Unary("MultiInference", ProtobufMarshallers.For(MultiInferenceRequest.Parser), ProtobufMarshallers.For(MultiInferenceResponse.Parser)),
            [],
            (service, request, call) => service.MultiInference(request, call));
        context.AddUnaryMethod(
            Unary("GetModelMetadata", ProtobufMarshallers.For(GetModelMetadataRequest.Parser), ProtobufMarshallers.For(GetModelMetadataResponse.Parser)),
            [],
            (service, request, call) => service.GetModelMetadata(request, call));
    }

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name, Marshaller<TRequest> request, Marshaller<TResponse> response)
        => new(MethodType.Unary, ServiceName, name, request, response);
}
