using System.Security.Cryptography;
using System.Text;
using NeighbourHub.FundVerifier;

namespace NeighbourHub.UnitTests.FundVerifier;

/// <summary>The owner's verifier on an honest ledger and on every way a ledger can lie, each caught with the right Chinese message.</summary>
public sealed class FundLogVerifierTests
{
    [Fact]
    public void An_honest_ledger_passes_with_its_count_balance_and_root()
    {
        using var log = new SampleFundLog();
        var report = FundLogVerifier.Verify(log.Input());

        Assert.True(report.Ok, string.Join("\n", report.Findings));
        Assert.Equal(13, report.EntryCount);
        Assert.Equal(log.Balance, report.BalanceFen);
        Assert.Equal(log.Root(13), report.ComputedRootHash);
        Assert.Contains(report.Findings, f => f.ToString() == "✔ 根哈希一致：" + log.Root(13) + "（13 条记录）");
        Assert.Contains(report.Findings, f => f.ToString().StartsWith("✔ 签名树头签名有效", StringComparison.Ordinal));
        Assert.Contains(report.Findings, f => f.Message == $"共 13 条记录，余额 {log.Balance} 分（{FundLogVerifier.FormatYuan(log.Balance)} 元）");
    }

    [Fact]
    public void An_empty_ledger_has_the_root_of_nothing_and_a_balance_of_zero()
    {
        using var log = new SampleFundLog(0);
        var report = FundLogVerifier.Verify(log.Input());
        Assert.True(report.Ok, string.Join("\n", report.Findings));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", report.ComputedRootHash);
        Assert.Equal(0, report.BalanceFen);
    }

    [Fact]
    public void A_changed_byte_in_a_leaf_breaks_the_root_and_that_entrys_inclusion_proof()
    {
        using var log = new SampleFundLog();
        var head = log.HeadJson();
        var entry = log.EntryJson(12);
        log.Leaves[12] = log.Leaves[12].Replace("48050", "48060", StringComparison.Ordinal);

        var report = FundLogVerifier.Verify(log.Input(head: head));
        Assert.False(report.Ok);
        Assert.Contains(report.Failures, f => f.Message.StartsWith("根哈希不一致：按导出的 13 条记录重算得 ", StringComparison.Ordinal));

        // The entry page serves the altered leaf with the proof of the honest one.
        var tampered = FundDocuments.ParseEntry(entry) with { Leaf = Encoding.UTF8.GetBytes(log.Leaves[12]) };
        var finding = FundLogVerifier.VerifyInclusion(tampered, FundDocuments.ParseHead(head));
        Assert.Equal("✘ 第 12 条记录与签名树头不符（包含证明无效）", finding.ToString());
    }

    [Fact]
    public void An_honest_entry_is_included_and_shows_what_its_leaf_says_a_doctored_page_does_not()
    {
        using var log = new SampleFundLog();
        var honest = FundLogVerifier.Verify(log.Input() with { Entry = FundDocuments.ParseEntry(log.EntryJson(12)) });
        Assert.True(honest.Ok, string.Join("\n", honest.Findings));
        Assert.Contains(honest.Findings, f => f.Message.StartsWith("第 12 条记录包含在签名树头（13 条）中", StringComparison.Ordinal));

        var doctored = FundLogVerifier.Verify(log.Input() with { Entry = FundDocuments.ParseEntry(log.EntryJson(12, shownAmount: -800)) });
        Assert.Contains(doctored.Failures, f => f.Message == "第 12 条记录页面显示的 amountFen 与签名的叶子不符");
    }

    [Fact]
    public void A_wrong_signature_an_edited_head_an_unknown_key_and_a_foreign_key_are_refused()
    {
        using var log = new SampleFundLog();
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var forged = FundLogVerifier.Verify(log.Input(head: log.HeadJson(signer: stranger)));
        Assert.Contains(forged.Failures, f => f.ToString() == "✘ 签名树头签名无效（密钥 fund-2026）：树头被篡改或不是该密钥签发的");

        var edited = log.HeadJson().Replace(SampleFundLog.Timestamp, "2026-11-30T16:00:00Z", StringComparison.Ordinal);
        Assert.Contains(FundLogVerifier.Verify(log.Input(head: edited)).Failures, f => f.Message.StartsWith("签名树头签名无效", StringComparison.Ordinal));

        var unknown = FundLogVerifier.Verify(log.Input(head: log.HeadJson(keyId: "fund-1999")));
        Assert.Contains(unknown.Failures, f => f.Message == "签名树头所用的密钥 fund-1999 不在公钥列表中");

        var pinned = FundLogVerifier.Verify(log.Input() with { PinnedKeyFingerprint = FundLogVerifier.KeyFingerprint(stranger.ExportSubjectPublicKeyInfoPem()) });
        Assert.Contains(pinned.Failures, f => f.Message.Contains("与公告的指纹", StringComparison.Ordinal));
        var rightPin = FundLogVerifier.Verify(log.Input() with { PinnedKeyFingerprint = FundLogVerifier.KeyFingerprint(log.PublicKeyPem).ToUpperInvariant() });
        Assert.True(rightPin.Ok, string.Join("\n", rightPin.Findings));
    }

    [Fact]
    public void Last_months_head_is_a_prefix_of_this_months_and_the_proof_says_so()
    {
        using var log = new SampleFundLog();
        var saved = FundDocuments.ParseHead(log.HeadJson(size: 5, timestamp: "2026-09-30T16:00:00Z"));
        var report = FundLogVerifier.Verify(log.Input() with { SavedHead = saved, Consistency = FundDocuments.ParseConsistency(log.ConsistencyJson(5, 13)) });

        Assert.True(report.Ok, string.Join("\n", report.Findings));
        Assert.Contains(report.Findings, f => f.Message == "一致性证明有效：保存的树头（5 条，2026-09-30T16:00:00Z）是当前账本（13 条）的前缀，历史未被改写");
        Assert.Contains(report.Findings, f => f.Message == "按导出前 5 条记录重算的根哈希与保存的树头（2026-09-30T16:00:00Z）一致");
    }

    [Fact]
    public void A_rewritten_history_fails_the_consistency_proof_and_the_recomputed_old_root()
    {
        using var log = new SampleFundLog();
        var saved = FundDocuments.ParseHead(log.HeadJson(size: 5, timestamp: "2026-09-30T16:00:00Z"));
        // Entry 2 quietly becomes a smaller income; the server re-signs and proves from the rewritten tree.
        log.Leaves[2] = log.Leaves[2].Replace("48050", "38050", StringComparison.Ordinal);

        var report = FundLogVerifier.Verify(log.Input() with { SavedHead = saved, Consistency = FundDocuments.ParseConsistency(log.ConsistencyJson(5, 13)) });
        Assert.False(report.Ok);
        Assert.Contains(report.Failures, f => f.ToString() == "✘ 一致性证明无效：保存的树头（5 条，2026-09-30T16:00:00Z）不是当前账本（13 条）的前缀，历史记录可能被改写");
        Assert.Contains(report.Failures, f => f.Message.StartsWith("按导出前 5 条记录重算的根哈希 ", StringComparison.Ordinal) && f.Message.EndsWith("前 5 条中有历史记录被改写", StringComparison.Ordinal));
        Assert.DoesNotContain(report.Failures, f => f.Message.StartsWith("根哈希不一致", StringComparison.Ordinal)); // the new head itself is consistent with the new export
    }

    [Fact]
    public void A_proof_for_other_sizes_and_a_shrunken_ledger_are_refused()
    {
        using var log = new SampleFundLog();
        var saved = FundDocuments.ParseHead(log.HeadJson(size: 5));
        var wrongRange = FundLogVerifier.VerifyConsistency(saved, FundDocuments.ParseHead(log.HeadJson()), FundDocuments.ParseConsistency(log.ConsistencyJson(4, 13)));
        Assert.Equal("✘ 一致性证明的范围是 4→13 条，应为 5→13 条", wrongRange.ToString());

        var bigger = FundDocuments.ParseHead(log.HeadJson());
        var shrunk = FundLogVerifier.Verify(log.Input(export: log.ExportJsonLines(Enumerable.Range(0, 10)), head: log.HeadJson(size: 10)) with { SavedHead = bigger });
        Assert.Contains(shrunk.Failures, f => f.Message == "当前签名树头只有 10 条，少于保存的树头的 13 条：账本被回滚或截断");
    }

    [Fact]
    public void An_export_missing_signed_entries_is_refused_and_one_with_newer_entries_is_checked_up_to_the_head()
    {
        using var log = new SampleFundLog();
        var hidden = FundLogVerifier.Verify(log.Input(export: log.ExportJsonLines(Enumerable.Range(0, 12))));
        Assert.Contains(hidden.Failures, f => f.Message == "导出只有 12 条记录，签名树头记载 13 条：有记录被隐藏");

        var newer = FundLogVerifier.Verify(log.Input(head: log.HeadJson(size: 11)));
        Assert.True(newer.Ok, string.Join("\n", newer.Findings));
        Assert.Equal(11, newer.EntryCount);
        Assert.Contains(newer.Findings, f => f.ToString() == "ℹ 导出比签名树头多 2 条（树头签发后新增），本次只核对前 11 条");
    }

    [Fact]
    public void A_seq_gap_is_named_even_when_the_head_was_signed_over_it()
    {
        using var log = new SampleFundLog();
        log.Leaves.RemoveAt(4); // seq 5 now sits at position 4, and the server signed that
        var report = FundLogVerifier.Verify(log.Input(export: string.Concat(log.Leaves.Select((l, i) =>
            "{\"seq\":" + (i < 4 ? i : i + 1) + ",\"leaf\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes(l)) + "\"}\n"))));
        Assert.False(report.Ok);
        Assert.Contains(report.Failures, f => f.ToString() == "✘ 第 4 条记录的序号是 5，应为 4：序号有缺口或顺序错乱");
        Assert.Contains(report.Findings, f => f.Message.StartsWith("根哈希一致", StringComparison.Ordinal));
    }

    [Fact]
    public void A_non_canonical_leaf_is_named_even_when_the_head_was_signed_over_it()
    {
        using var log = new SampleFundLog();
        log.Leaves[3] = log.Leaves[3].Replace(",\"at\":", ", \"at\":", StringComparison.Ordinal);
        var report = FundLogVerifier.Verify(log.Input());
        Assert.False(report.Ok);
        Assert.Contains(report.Failures, f => f.Message.StartsWith("第 3 条记录不是规范 JSON（RFC 8785）：与规范形式在第 19 字节处不同", StringComparison.Ordinal));
    }

    [Fact]
    public void A_leaf_of_another_estate_is_named()
    {
        using var log = new SampleFundLog();
        log.Leaves[6] = SampleFundLog.Leaf(6, estate: "2");
        var report = FundLogVerifier.Verify(log.Input());
        Assert.Contains(report.Failures, f => f.Message == "第 6 条记录属于小区 2，不是小区 1");
    }

    [Fact]
    public void A_head_of_another_estate_is_refused()
    {
        using var log = new SampleFundLog();
        var report = FundLogVerifier.Verify(log.Input() with { EstateId = "9" });
        Assert.Contains(report.Failures, f => f.Message == "签名树头属于小区 1，不是小区 9");
    }

    [Theory]
    [InlineData(-123456, "-1,234.56")]
    [InlineData(5, "0.05")]
    [InlineData(100000000, "1,000,000.00")]
    [InlineData(0, "0.00")]
    public void Fen_show_as_yuan(long fen, string yuan) => Assert.Equal(yuan, FundLogVerifier.FormatYuan(fen));
}
