using ModelServer.Runtime.Models;
using Tensorflow;
using Tensorflow.Serving;

namespace ModelServer.Host.TensorFlow;

/// <summary>Describes a model's signature as TF Serving's <c>SignatureDefMap</c> (metadata over gRPC and REST).</summary>
internal static class SignatureDefFactory
{
    public static SignatureDefMap CreateMap(ModelSignature signature)
    {
        var map = new SignatureDefMap();
        map.SignatureDef.Add(signature.Name, Create(signature));
        return map;
    }

    private static SignatureDef Create(ModelSignature signature)
    {
        var def = new SignatureDef { MethodName = signature.MethodName };
        foreach (var input in signature.Inputs)
        {
            def.Inputs.Add(input.Name, ToTensorInfo(input));
        }

        foreach (var output in signature.Outputs)
        {
            def.Outputs.Add(output.Name, ToTensorInfo(output));
        }

        return def;
    }

    private static TensorInfo ToTensorInfo(TensorSpec spec)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in spec.Shape)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dim { Size = dim });
        }

        return new TensorInfo { Name = spec.Name, Dtype = DataTypeMap.ToTf(spec.DataType), TensorShape = shape };
    }
}
