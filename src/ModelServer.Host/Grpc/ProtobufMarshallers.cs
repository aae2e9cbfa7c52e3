using Google.Protobuf;
using Grpc.Core;

namespace ModelServer.Host.Grpc;

/// <summary>Marshallers for the methods <see cref="PredictionServiceMethodProvider"/> binds by hand.</summary>
internal static class ProtobufMarshallers
{
    /// <summary>What the generated code does: parse from the body's buffers, write into gRPC's buffer writer.</summary>
    public static Marshaller<T> For<T>(MessageParser<T> parser)
        where T : IMessage<T>, IBufferMessage
        => Marshallers.Create<T>((message, context) => Serialize(message, context), context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));

    /// <summary>
    /// Predict's request: tensor_content into pooled arrays (<see cref="PredictRequestReader"/>). Serializing (only
    /// a client would) writes the plain message.
    /// </summary>
    public static Marshaller<PooledPredictRequest> PooledPredictRequest { get; } = Marshallers.Create<PooledPredictRequest>(
        (request, context) => Serialize(request.Request, context),
        context => PredictRequestReader.Read(context.PayloadAsReadOnlySequence()));

    private static void Serialize(IMessage message, SerializationContext context)
    {
        context.SetPayloadLength(message.CalculateSize());
        message.WriteTo(context.GetBufferWriter());
        context.Complete();
    }
}
