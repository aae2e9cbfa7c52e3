using ModelServer.Trainer.Data;

namespace ModelServer.Trainer.Tests.Data;

public sealed class DatasetTests : IDisposable
{
    private readonly string root = TestData.NewTempDirectory();

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Classes_are_folder_names_in_alphabetical_order()
    {
        var folder = ImageFolderScanner.Scan(TestData.CgiRoot);

        Assert.Equal(TestData.Classes, folder.ClassNames);
        Assert.Equal(60, folder.Samples.Count);
        Assert.All(folder.Samples, s => Assert.Equal(folder.ClassNames[s.Label], Path.GetFileName(Path.GetDirectoryName(s.Path))));
    }

    [Fact]
    public void Missing_or_empty_data_folder_is_a_clear_error()
    {
        var missing = Assert.Throws<DatasetException>(() => ImageFolderScanner.Scan(Path.Combine(root, "nope")));
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);

        var empty = Assert.Throws<DatasetException>(() => ImageFolderScanner.Scan(root));
        Assert.Contains("is empty", empty.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Class_without_images_is_a_clear_error()
    {
        TestData.CopyCgi(root);
        Directory.CreateDirectory(Path.Combine(root, "lizard"));
        File.WriteAllText(Path.Combine(root, "lizard", "notes.txt"), "no images here");

        var error = Assert.Throws<DatasetException>(() => ImageFolderScanner.Scan(root));

        Assert.Contains("'lizard'", error.Message, StringComparison.Ordinal);
        Assert.Contains("no images", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_images_are_skipped_counted_and_reported()
    {
        TestData.CopyCgi(root);
        File.WriteAllBytes(Path.Combine(root, "rock", "broken.jpg"), [0xFF, 0xD8, 0xFF, 0x00, 0x01, 0x02]);
        File.WriteAllText(Path.Combine(root, "paper", "text.png"), "not a png");
        var reported = new List<SkippedImage>();

        var data = DatasetLoader.Load(root, 28, reported.Add);

        Assert.Equal(60, data.Count);
        Assert.Equal(2, data.Skipped.Count);
        Assert.Equal(data.Skipped, reported);
        Assert.Contains(data.Skipped, s => s.Path.EndsWith("broken.jpg", StringComparison.Ordinal));
    }

    [Fact]
    public void Class_whose_every_image_is_corrupt_is_an_error()
    {
        TestData.CopyCgi(root);
        foreach (string file in Directory.GetFiles(Path.Combine(root, "scissors")))
        {
            File.WriteAllText(file, "garbage");
        }

        var error = Assert.Throws<DatasetException>(() => DatasetLoader.Load(root, 28));

        Assert.Contains("'scissors'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rock.IMG_7077_MOV-12_jpg.rf.5e009a9ec5fbf7a8e856ba7f413996af_01894.jpg", "rock.IMG_7077_MOV")]
    [InlineData("paper.IMG_5567_mp4-163_jpg.rf.03a3279b64abcf41f673c9c4c5d759b7_00430.jpg", "paper.IMG_5567_mp4")]
    [InlineData("rock.0001_png.rf.5e22fcd367ffc26ff60b1c51ad0f660c_01899.jpg", "rock.0001_png")]
    [InlineData("paper.egohands-public-1626355938936_png_jpg.rf.0a7e6c0b_00001.jpg", "paper.egohands-public-1626355938936_png_jpg")]
    [InlineData("rock01-000.png", "rock01")]
    [InlineData("testpaper01-00.png", "testpaper01")]
    public void Clip_is_the_name_before_the_frame_number(string file, string clip) =>
        Assert.Equal(clip, ClipKey.FromFileName(file));

    [Theory]
    [InlineData("rock.IMG_7077_MOV", "rock", "IMG_7077_MOV")]
    [InlineData("Paper.IMG_7077_MOV", "paper", "IMG_7077_MOV")] // folder and file name may differ in case
    [InlineData("paper.IMG_7077_MOV", "rock", "paper.IMG_7077_MOV")] // another class's prefix is part of the name
    [InlineData("rock01", "rock", "rock01")]
    [InlineData("rock.", "rock", "rock.")]
    public void Video_is_the_clip_without_its_class_prefix(string clip, string className, string video) =>
        Assert.Equal(video, ClipKey.Video(clip, className));

    [Fact]
    public void Validation_split_keeps_clips_whole_and_every_class_on_both_sides()
    {
        var folder = ImageFolderScanner.Scan(TestData.CgiRoot);

        var (train, validation) = ValidationSplit.ByClip(folder.Samples, 0.3, seed: 5);

        Assert.Equal(folder.Samples.Count, train.Length + validation.Length);
        var trainClips = train.Select(i => folder.Samples[i].Clip).ToHashSet();
        Assert.DoesNotContain(validation, i => trainClips.Contains(folder.Samples[i].Clip));
        Assert.Equal(3, validation.Select(i => folder.Samples[i].Label).Distinct().Count());
        Assert.Equal(3, train.Select(i => folder.Samples[i].Label).Distinct().Count());
        Assert.Equal(validation, ValidationSplit.ByClip(folder.Samples, 0.3, seed: 5).Validation);
    }
}
