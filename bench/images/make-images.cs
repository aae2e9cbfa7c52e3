#:package SixLabors.ImageSharp@2.1.13
#:property ManagePackageVersionsCentrally=false
// Test images for the decode-share measurement (bench/images/measure-decode-share.sh), made from one committed sample
// photo: the photo as PNG, and a phone-size 1280×960 copy as JPEG (quality 90) and PNG.
// Usage: dotnet run --file bench/images/make-images.cs -- SAMPLE.jpg OUTDIR
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Processing;

string sample = args[0], output = args[1];
Directory.CreateDirectory(output);
using var photo = Image.Load(sample);
photo.SaveAsPng(Path.Combine(output, "sample.png"));
File.Copy(sample, Path.Combine(output, "sample.jpg"), overwrite: true);
using var phone = photo.Clone(x => x.Resize(1280, 960, KnownResamplers.Bicubic));
phone.SaveAsJpeg(Path.Combine(output, "phone.jpg"), new JpegEncoder { Quality = 90 });
phone.SaveAsPng(Path.Combine(output, "phone.png"));
Console.WriteLine($"{sample} ({photo.Width}x{photo.Height}) -> {output}: sample.jpg, sample.png, phone.jpg, phone.png");
