using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Features.Fund;
using NeighbourHub.Web.Transparency;
using Independent = NeighbourHub.FundVerifier;

namespace NeighbourHub.UnitTests.Transparency;

/// <summary>The exact leaf bytes outside verifiers rebuild, the head signature they check, and the remuneration arithmetic.</summary>
public sealed class FundLeafAndHeadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nh-keys-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string A = new('a', 64);
    private static readonly string B = new('b', 64);

    private static FundEntry Entry() => new()
    {
        EstateId = 7,
        Seq = 41,
        At = new DateTimeOffset(2026, 11, 30, 16, 5, 9, TimeSpan.Zero),
        Kind = FundEntryKind.Expense,
        AmountFen = -128_000,
        Category = "expense",
        BudgetLineId = 3,
        Memo = "电梯维保：\"年度\"合同\\第2期\n（含配件）\u0001",
        Counterparty = "海宁市某电梯公司",
        AttachmentSha256s = A + "," + B,
        ExpenseId = 12,
        SourceKey = "expense:12",
    };

    [Fact]
    public void The_leaf_is_RFC_8785_canonical_JSON_with_exactly_the_published_members()
    {
        var leaf = Encoding.UTF8.GetString(FundLeaf.Bytes(Entry()));
        Assert.Equal(
            "{\"amountFen\":-128000,\"at\":\"2026-11-30T16:05:09Z\",\"attachmentSha256s\":[\"" + A + "\",\"" + B + "\"],\"budgetLineId\":3,\"category\":\"expense\","
            + "\"counterparty\":\"海宁市某电梯公司\",\"estateId\":7,\"expenseId\":12,\"kind\":\"expense\","
            + "\"memo\":\"电梯维保：\\\"年度\\\"合同\\\\第2期\\n（含配件）\\u0001\",\"seq\":41}",
            leaf);

        var income = Entry();
        income.Kind = FundEntryKind.Income;
        income.AmountFen = 500;
        income.BudgetLineId = null;
        income.ExpenseId = null;
        income.AttachmentSha256s = "";
        Assert.Contains("\"attachmentSha256s\":[],\"budgetLineId\":null", Encoding.UTF8.GetString(FundLeaf.Bytes(income)), StringComparison.Ordinal);
        Assert.Contains("\"expenseId\":null,\"kind\":\"income\"", Encoding.UTF8.GetString(FundLeaf.Bytes(income)), StringComparison.Ordinal);
    }

    [Fact]
    public void The_independent_verifier_reads_our_leaves_as_canonical()
    {
        var bytes = FundLeaf.Bytes(Entry());
        Assert.True(Independent.CanonicalJson.IsCanonical(bytes, out _, out var problem), problem);
        Assert.True(Independent.FundLeaf.TryParse(bytes, out var parsed, out problem), problem);
        Assert.Equal(41, parsed!.Seq);
        Assert.Equal(-128_000, parsed.AmountFen);
        Assert.Equal(Independent.MerkleTree.HashLeaf(bytes), FundLeaf.Hash(Entry()));
    }

    [Fact]
    public void Heads_are_signed_so_that_the_verifier_accepts_them_and_old_keys_still_verify_after_rotation()
    {
        var oldPath = Path.Combine(_dir, "old.pem");
        using var oldSigner = Signer(oldPath, []);
        var text = HeadSigner.SignedText("fund", 7, 42, new string('a', 64), "2026-11-30T16:05:09.123Z");
        Assert.Equal("neighbourhub-fund-head\n7\n42\n" + new string('a', 64) + "\n2026-11-30T16:05:09.123Z", text);
        var oldSignature = oldSigner.Sign(text);
        Assert.True(oldSigner.Verify(oldSigner.KeyId, text, oldSignature));
        Assert.False(oldSigner.Verify(oldSigner.KeyId, text.Replace("\n42\n", "\n43\n", StringComparison.Ordinal), oldSignature));
        Assert.Matches("^[0-9a-f]{16}$", oldSigner.KeyId);

        var head = new Independent.SignedHead("7", 42, new string('a', 64), "2026-11-30T16:05:09.123Z", oldSigner.KeyId, oldSignature);
        var keys = oldSigner.Keys.Select(k => new Independent.FundKey(k.KeyId, k.Algorithm, k.PublicKeyPem)).ToList();
        Assert.True(Independent.FundLogVerifier.VerifyHeadSignature(head, keys).Ok);

        // Rotation: a new current key, the old one listed as retired; heads signed before still verify.
        using var rotated = Signer(Path.Combine(_dir, "new.pem"), [oldPath]);
        Assert.NotEqual(oldSigner.KeyId, rotated.KeyId);
        Assert.Equal([rotated.KeyId, oldSigner.KeyId], rotated.Keys.Select(k => k.KeyId));
        Assert.True(rotated.Verify(oldSigner.KeyId, text, oldSignature));
        Assert.False(rotated.Verify("0000000000000000", text, oldSignature));
    }

    [Fact]
    public void The_key_file_is_created_once_and_reused()
    {
        var path = Path.Combine(_dir, "data", "key.pem");
        string first;
        using (var a = Signer(path, []))
        {
            first = a.KeyId;
        }

        using var b = Signer(path, []);
        Assert.Equal(first, b.KeyId);
        using var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(path));
        Assert.Equal(256, key.KeySize);
    }

    [Theory]
    [InlineData(10_000, 1000, 1000)]
    [InlineData(10_005, 1000, 1000)] // 1000.5 fen: the half fen stays with the owners
    [InlineData(9, 1000, 0)]
    [InlineData(123_456, 0, 0)]
    [InlineData(123_456, 850, 10_493)] // 10493.76
    public void Remuneration_is_rounded_down_to_the_fen(long feeFen, int basisPoints, long expected) =>
        Assert.Equal(expected, FundLedger.RemunerationOf(feeFen, basisPoints));

    [Fact]
    public void Refunds_give_back_remuneration_so_the_trustee_keeps_exactly_its_share_of_what_remains()
    {
        // 191.53 元 paid, 19.15 元 remuneration; 10 元 refunded: the trustee keeps floor(181.53 × 19.15 / 191.53) = 18.15 元.
        Assert.Equal(100, FundLedger.RemunerationRefundOf(19_153, 1915, 0, 1000));
        Assert.Equal(1915, FundLedger.RemunerationRefundOf(19_153, 1915, 0, 19_153));
        Assert.Equal(0, FundLedger.RemunerationRefundOf(10_000, 0, 0, 100));

        // Any series of partial refunds gives back the whole remuneration once everything is refunded, never more.
        var random = new Random(7);
        for (var trial = 0; trial < 200; trial++)
        {
            var income = random.NextInt64(1, 1_000_000);
            var remuneration = FundLedger.RemunerationOf(income, random.Next(0, 3001));
            long refunded = 0, back = 0;
            while (refunded < income)
            {
                var refund = Math.Min(income - refunded, random.NextInt64(1, (income / 3) + 2));
                back += FundLedger.RemunerationRefundOf(income, remuneration, refunded, refund);
                refunded += refund;
                Assert.Equal((income - refunded) * remuneration / income, remuneration - back);
            }

            Assert.Equal(remuneration, back);
        }
    }

    private static HeadSigner Signer(string path, List<string> retired) =>
        new(Options.Create(new HeadSigningOptions { SigningKeyPath = path, RetiredKeyPaths = retired }),
            new HostingEnvironment { ContentRootPath = Path.GetDirectoryName(path)!, EnvironmentName = "Development" }, NullLogger<HeadSigner>.Instance);
}
