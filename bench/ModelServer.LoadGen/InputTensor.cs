namespace ModelServer.LoadGen;

/// <summary>One named float input of a request: values row-major and the shape with its batch dimension.</summary>
internal sealed record InputTensor(string Name, long[] Shape, float[] Values);
