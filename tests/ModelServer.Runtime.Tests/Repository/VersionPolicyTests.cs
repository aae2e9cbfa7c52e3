using ModelServer.Runtime.Repository;

namespace ModelServer.Runtime.Tests.Repository;

public sealed class VersionPolicyTests
{
    [Fact]
    public void LatestKeepsTheHighestN() => Assert.Equal([9L, 4L], VersionPolicy.Latest(2).Select([1, 9, 4, 2]));

    [Fact]
    public void AllKeepsEverything() => Assert.Equal([3L, 2L, 1L], VersionPolicy.All.Select([1, 3, 2]));

    [Fact]
    public void SpecificKeepsOnlyThoseOnDisk() => Assert.Equal([3L], VersionPolicy.Specific([3, 7]).Select([1, 3]));

    [Theory]
    [InlineData("1", true, 1L)]
    [InlineData("00012", true, 12L)]
    [InlineData("2.tmp", false, 0L)]
    [InlineData(".staging", false, 0L)]
    [InlineData("-1", false, 0L)]
    [InlineData("99999999999999999999", false, 0L)]
    public void VersionFolderNames(string name, bool valid, long version)
    {
        Assert.Equal(valid, VersionFolders.TryParseVersion(name, out var parsed));
        Assert.Equal(version, parsed);
    }
}
