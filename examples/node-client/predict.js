// A TF Serving client in another language, built from the upstream .proto files (our copies keep their
// packages, paths and field numbers): Predict, GetModelMetadata and GetModelStatus on a model it has never seen.
// Usage: node predict.js [host:port] [model]
const path = require('path');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const target = process.argv[2] || 'localhost:8500';
const model = process.argv[3] || 'half_plus_two';
const root = path.join(__dirname, '..', '..', 'src', 'ModelServer.Protos');
const definition = loader.loadSync(
  ['tensorflow_serving/apis/prediction_service.proto', 'tensorflow_serving/apis/model_service.proto'],
  { includeDirs: [root], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
const serving = grpc.loadPackageDefinition(definition).tensorflow.serving;
const prediction = new serving.PredictionService(target, grpc.credentials.createInsecure());
const models = new serving.ModelService(target, grpc.credentials.createInsecure());
const call = (client, method, request) => new Promise((resolve, reject) =>
  client[method](request, { deadline: Date.now() + 10000 }, (error, reply) => (error ? reject(error) : resolve(reply))));

(async () => {
  const status = await call(models, 'GetModelStatus', { model_spec: { name: model } });
  console.log('status:', JSON.stringify(status.model_version_status));

  const metadata = await call(prediction, 'GetModelMetadata', { model_spec: { name: model }, metadata_field: ['signature_def'] });
  // metadata["signature_def"] is a google.protobuf.Any packing a SignatureDefMap.
  const signatureDefMap = definition['tensorflow.serving.SignatureDefMap'];
  const signature = signatureDefMap.deserialize(metadata.metadata.signature_def.value).signature_def.serving_default;
  const [alias, info] = Object.entries(signature.inputs)[0];
  console.log('input:', alias, info.dtype, JSON.stringify(info.tensor_shape.dim.map(d => d.size)));

  const request = {
    model_spec: { name: model },
    inputs: { [alias]: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 3 }] }, float_val: [1.0, 2.0, 5.0] } },
  };
  const reply = await call(prediction, 'Predict', request);
  for (const [name, tensor] of Object.entries(reply.outputs)) {
    console.log('output:', name, JSON.stringify(tensor.float_val));
  }
  console.log('served by version', reply.model_spec.version.value);
})().catch(error => { console.error(error.message); process.exit(1); });
