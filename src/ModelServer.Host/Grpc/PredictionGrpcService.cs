using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using ModelServer.Host.TensorFlow;
using ModelServer.Runtime.Classification;
using ModelServer.Runtime.Imaging;
using ModelServer.Runtime.Inference;
using ModelServer.Runtime.Serving;
using ModelServer.Runtime.Tensors;
using Tensorflow.Serving;

namespace ModelServer.Host.Grpc;

/// <summary>
/// <c>tensorflow.serving.PredictionService</c>: translates protos to the Runtime and back, nothing more. Bound by
/// <see cref="PredictionServiceMethodProvider"/> (not the generated base class), so Predict gets its request pooled.
/// </summary>
internal sealed class PredictionGrpcService
{
    private const string SignatureDefField = "signature_def";

    private readonly Predictor _predictor;
    private readonly ServingOptions _options;
    private readonly TimeProvider _time;
    private readonly ImageInputBinder _images;
    private readonly Classifier _classifier;
    private readonly ImageOptions _imageOptions;

    public PredictionGrpcService(
        Predictor predictor, IOptions<ServingOptions> options, TimeProvider time, ImageInputBinder images, Classifier classifier, IOptions<ImageOptions> imageOptions)
    {
        _predictor = predictor;
        _options = options.Value;
        _time = time;
        _images = images;
        _classifier = classifier;
        _imageOptions = imageOptions.Value;
    }

    public async Task<PredictResponse> Predict(PooledPredictRequest pooled, ServerCallContext context)
    {
        // The pooled tensor_content arrays go back only after PredictAsync has completed: until then the Runtime
        // borrows them (a request in a running batch completes when the batch ends, even if cancelled).
        using (pooled)
        {
            return await Predict(pooled.Request, context).ConfigureAwait(false);
        }
    }

    private Task<PredictResponse> Predict(PredictRequest request, ServerCallContext context)
        => GrpcCalls.Run(context, _time, async () =>
        {
            var spec = GrpcCalls.RequireSpec(request.ModelSpec);
            using var servable = _predictor.Acquire(spec.Name, GrpcCalls.Version(spec), GrpcCalls.Label(spec));
            var inputs = new Dictionary<string, Tensor>(request.Inputs.Count, StringComparer.Ordinal);
            try
            {
                foreach (var (alias, proto) in request.Inputs)
                {
                    inputs[alias] = TensorProtoDecoder.Decode(alias, proto, _options.MaxTensorElements);
                }

                // A DT_STRING tensor of encoded images [n] for a float image input becomes the decoded float batch.
                _images.Bind(servable.Model, servable.ModelName, inputs);

                using var result = await _predictor.PredictAsync(servable, spec.SignatureName, inputs, request.OutputFilter, context.CancellationToken).ConfigureAwait(false);
                var response = new PredictResponse { ModelSpec = ModelStatusFactory.Spec(result.ModelName, result.Version, result.SignatureName) };
                foreach (var (alias, tensor) in result.Outputs)
                {
                    response.Outputs.Add(alias, TensorProtoEncoder.Encode(tensor, _options.EnableSerializationAsTensorContent));
                }

                return response;
            }
            finally
            {
                foreach (var tensor in inputs.Values)
                {
                    tensor.Dispose();
                }
            }
        });

    public Task<GetModelMetadataResponse> GetModelMetadata(GetModelMetadataRequest request, ServerCallContext context)
        => GrpcCalls.Run(context, _time, () =>
        {
            var spec = GrpcCalls.RequireSpec(request.ModelSpec);
            if (request.MetadataField.Count == 0)
            {
                throw ServingException.InvalidArgument("GetModelMetadataRequest must specify at least one metadata_field");
            }

            foreach (var field in request.MetadataField)
            {
                if (field != SignatureDefField)
                {
                    throw ServingException.InvalidArgument($"Metadata field {field} is not supported");
                }
            }

            using var servable = _predictor.Acquire(spec.Name, GrpcCalls.Version(spec), GrpcCalls.Label(spec));
            var response = new GetModelMetadataResponse { ModelSpec = ModelStatusFactory.Spec(servable.ModelName, servable.Version) };
            response.Metadata.Add(SignatureDefField, Any.Pack(SignatureDefFactory.CreateMap(servable.Model.Signature)));
            return Task.FromResult(response);
        });

    public Task<ClassificationResponse> Classify(ClassificationRequest request, ServerCallContext context)
        => GrpcCalls.Run(context, _time, async () =>
        {
            var spec = GrpcCalls.RequireSpec(request.ModelSpec);
            using var servable = _predictor.Acquire(spec.Name, GrpcCalls.Version(spec), GrpcCalls.Label(spec));
            var examples = ExampleConverter.Convert(request.Input, _imageOptions.MaxImagesPerRequest);
            var result = await _classifier.ClassifyAsync(servable, spec.SignatureName, examples, context.CancellationToken).ConfigureAwait(false);
            var response = new ClassificationResponse
            {
                ModelSpec = ModelStatusFactory.Spec(result.ModelName, result.Version, Runtime.Models.ModelSignature.DefaultName),
                Result = new ClassificationResult(),
            };
            for (var i = 0; i < result.Count; i++)
            {
                var classifications = new Classifications();
                var row = result.Row(i);
                for (var c = 0; c < result.Classes; c++)
                {
                    classifications.Classes.Add(new Class { Label = result.ClassNames[c], Score = row[c] });
                }

                response.Result.Classifications.Add(classifications);
            }

            return response;
        });

    public Task<RegressionResponse> Regress(RegressionRequest request, ServerCallContext context)
        => throw GrpcErrors.ToRpc(ServingException.Unimplemented(
            "Regress is not implemented: ONNX models have no regression signature; use Predict."));

    public Task<MultiInferenceResponse> MultiInference(MultiInferenceRequest request, ServerCallContext context)
        => throw GrpcErrors.ToRpc(ServingException.Unimplemented(
            "MultiInference is not implemented: ONNX models have no classify/regress signatures to combine; use Predict."));
}
