using System.Text;
using NeighbourHub.FundVerifier;

namespace NeighbourHub.UnitTests.FundVerifier;

/// <summary>The leaf rules of API.md: RFC 8785 canonical bytes, exactly the spec's members, their types and signs.</summary>
public sealed class CanonicalLeafTests
{
    private const string Good = """{"amountFen":-35001,"at":"2026-10-02T02:30:00Z","attachmentSha256s":["4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a"],"budgetLineId":7,"category":"维修","counterparty":"某某电梯公司","estateId":1,"expenseId":"e-1","kind":"expense","memo":"电梯维修\n二号楼 \"A\" \u001f ✓","seq":1}""";

    [Fact]
    public void The_typed_out_canonical_leaf_reads_with_every_member()
    {
        Assert.True(FundLeaf.TryParse(Encoding.UTF8.GetBytes(Good), out var leaf, out var problem), problem);
        Assert.Equal(new FundLeaf(1, "1", "2026-10-02T02:30:00Z", "expense", -35001, "维修", "7", "电梯维修\n二号楼 \"A\" \u001f ✓", "某某电梯公司", leaf!.AttachmentSha256s, "e-1"), leaf);
        Assert.Equal(["4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a"], leaf.AttachmentSha256s);
    }

    [Theory]
    [InlineData("{\"amountFen\":-35001, ", "whitespace")]
    [InlineData("{\"at\":\"2026-10-02T02:30:00Z\",\"amountFen\":-35001,", "member order")]
    [InlineData("\"category\":\"\\u7ef4\\u4fee\"", "escaped non-ASCII")]
    [InlineData("\\u001F", "upper-case escape")]
    [InlineData("\"memo\":\"电梯维修\\u000a", "long form of \\n")]
    [InlineData("\\/", "escaped solidus")]
    [InlineData("\"amountFen\":-35001.0", "fraction")]
    [InlineData("\"amountFen\":-3.5001e4", "exponent")]
    [InlineData("\"seq\":1}\n", "trailing newline")]
    [InlineData("\uFEFF{", "byte order mark")]
    public void A_leaf_that_is_not_its_canonical_bytes_is_refused(string change, string what)
    {
        var leaf = Mutate(change);
        Assert.NotEqual(Good, leaf);
        Assert.False(FundLeaf.TryParse(Encoding.UTF8.GetBytes(leaf), out _, out var problem), what);
        Assert.StartsWith("不是规范 JSON（RFC 8785）：", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_member_and_invalid_utf8_are_refused()
    {
        Assert.False(FundLeaf.TryParse(Encoding.UTF8.GetBytes(Good.Replace("\"amountFen\":-35001,", "\"amountFen\":-35001,\"amountFen\":-35001,", StringComparison.Ordinal)), out _, out var duplicate));
        Assert.Equal("不是规范 JSON（RFC 8785）：成员 amountFen 重复出现", duplicate);
        var bytes = Encoding.UTF8.GetBytes(Good);
        bytes[Array.IndexOf(bytes, (byte)0xE7)] = 0xFF;
        Assert.False(FundLeaf.TryParse(bytes, out _, out var utf8));
        Assert.Equal("不是规范 JSON（RFC 8785）：不是有效的 UTF-8", utf8);
    }

    [Theory]
    [InlineData("\"seq\":1}", "\"seq\":1,\"tip\":0}", "多出成员 tip")]
    [InlineData("\"expenseId\":\"e-1\",", "", "缺少成员 expenseId")]
    [InlineData("\"at\":\"2026-10-02T02:30:00Z\"", "\"at\":\"2026-10-02T10:30:00+08:00\"", "at 不是带 Z 的 RFC 3339 UTC 时间")]
    [InlineData("\"at\":\"2026-10-02T02:30:00Z\"", "\"at\":\"2026-02-30T02:30:00Z\"", "at 不是带 Z 的 RFC 3339 UTC 时间")]
    [InlineData("\"kind\":\"expense\"", "\"kind\":\"gift\"", "未知的 kind：gift")]
    [InlineData("\"amountFen\":-35001", "\"amountFen\":35001", "expense 的 amountFen 应为负数，实为 35001")]
    [InlineData("\"amountFen\":-35001", "\"amountFen\":\"-35001\"", "amountFen 不是整数")]
    [InlineData("\"seq\":1}", "\"seq\":-1}", "seq 为负数")]
    [InlineData("4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a", "4BF5122F344554C53BDE2EBB8CD2B7E3D1600AD631C385A5D7CCE23C7785459A", "attachmentSha256s 中有不是 64 位小写十六进制的值")]
    [InlineData("\"memo\":\"电梯维修\\n二号楼 \\\"A\\\" \\u001f ✓\"", "\"memo\":null", "memo 不是字符串")]
    public void A_canonical_leaf_with_members_the_spec_does_not_allow_is_refused(string from, string to, string expected)
    {
        var leaf = Good.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Good, leaf);
        Assert.False(FundLeaf.TryParse(Encoding.UTF8.GetBytes(leaf), out _, out var problem));
        Assert.StartsWith("字段不符合规范：" + expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Canonical_serialisation_sorts_by_utf16_code_units_and_escapes_only_what_rfc_8785_escapes()
    {
        using var document = System.Text.Json.JsonDocument.Parse("{\"b\":[1e2,-0,\"\\u00e9\\/\\u2028\\u0007\"],\"a\":{\"\\u20ac\":1,\"\\ud83d\\ude00\":2,\"z\":true,\"A\":null}}");
        Assert.Equal("{\"a\":{\"A\":null,\"z\":true,\"€\":1,\"😀\":2},\"b\":[100,0,\"é/\u2028\\u0007\"]}", CanonicalJson.Serialize(document.RootElement));
    }

    /// <summary>Good with its first occurrence of the change's anchor replaced: each case names the canonical text it breaks.</summary>
    private static string Mutate(string change) => change switch
    {
        "{\"amountFen\":-35001, " => Good.Replace("{\"amountFen\":-35001,", change, StringComparison.Ordinal),
        "{\"at\":\"2026-10-02T02:30:00Z\",\"amountFen\":-35001," => Good.Replace("{\"amountFen\":-35001,\"at\":\"2026-10-02T02:30:00Z\",", change, StringComparison.Ordinal),
        "\"category\":\"\\u7ef4\\u4fee\"" => Good.Replace("\"category\":\"维修\"", change, StringComparison.Ordinal),
        "\\u001F" => Good.Replace("\\u001f", change, StringComparison.Ordinal),
        "\"memo\":\"电梯维修\\u000a" => Good.Replace("\"memo\":\"电梯维修\\n", change, StringComparison.Ordinal),
        "\\/" => Good.Replace("\"e-1\"", "\"e\\/1\"", StringComparison.Ordinal),
        "\"amountFen\":-35001.0" or "\"amountFen\":-3.5001e4" => Good.Replace("\"amountFen\":-35001", change, StringComparison.Ordinal),
        "\"seq\":1}\n" => Good + "\n",
        "\uFEFF{" => "\uFEFF" + Good,
        _ => throw new ArgumentException(change),
    };
}
