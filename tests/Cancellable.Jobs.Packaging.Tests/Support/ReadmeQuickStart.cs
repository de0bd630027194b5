using System.Text.RegularExpressions;

namespace Cancellable.Jobs.Packaging.Tests.Support;

/// <summary>
/// The code blocks of README.md that a newcomer pastes: each is the ```csharp fence right after a
/// <c>&lt;!-- quickstart:{name} --&gt;</c> comment.
/// </summary>
public static partial class ReadmeQuickStart
{
    public static string Read(string name)
    {
        var readme = File.ReadAllText(Repository.PathOf("README.md")).ReplaceLineEndings("\n");
        var blocks = QuickStartBlock().Matches(readme).Where(m => m.Groups["name"].Value == name).ToList();
        Assert.True(blocks.Count == 1, $"README.md must have exactly one ```csharp block marked <!-- quickstart:{name} -->; it has {blocks.Count}.");
        return blocks[0].Groups["code"].Value;
    }

    [GeneratedRegex(@"<!--\s*quickstart:(?<name>[a-z-]+)\s*-->\n```csharp\n(?<code>.*?)\n```\n", RegexOptions.Singleline)]
    private static partial Regex QuickStartBlock();
}
