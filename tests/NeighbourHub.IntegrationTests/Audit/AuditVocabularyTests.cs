using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Audit;

namespace NeighbourHub.IntegrationTests.Audit;

/// <summary>
/// The audit log reads in Chinese for the whole model: a new entity, property, status or audited verb without its
/// words fails here, not on an auditor's screen. No server needed (the model is built in memory).
/// </summary>
public sealed partial class AuditVocabularyTests
{
    private static SqliteNeighbourHubDbContext NewContext() =>
        new(new DbContextOptionsBuilder<SqliteNeighbourHubDbContext>().UseSqlite("Data Source=:memory:").Options);

    [Fact]
    public void Every_entity_property_and_status_of_the_model_has_Chinese_words()
    {
        using var db = NewContext();
        var entities = db.Model.GetEntityTypes().ToList();
        Assert.Empty(entities.Where(e => !AuditTexts.Entities.ContainsKey(e.ClrType.Name)).Select(e => e.ClrType.Name));

        var unnamed = entities.SelectMany(e => e.GetProperties().Select(p => (Entity: e.ClrType.Name, p.Name)))
            .Where(p => !AuditTexts.IsTechnical(p.Name) && !AuditTexts.Fields.ContainsKey(p.Name))
            .Select(p => $"{p.Entity}.{p.Name}").Distinct().ToList();
        Assert.True(unnamed.Count == 0, "No Chinese name for: " + string.Join(", ", unnamed));

        var enums = entities.SelectMany(e => e.GetProperties()).Select(p => Nullable.GetUnderlyingType(p.ClrType) ?? p.ClrType)
            .Where(t => t.IsEnum).Distinct();
        var missing = enums.SelectMany(t => Enum.GetNames(t).Select(n => $"{t.Name}.{n}")).Where(k => !AuditTexts.EnumValues.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, "No Chinese for: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_action_the_code_audits_has_Chinese_words()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "NeighbourHub.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("The repository root was not found.");
        }

        var verbs = Directory.EnumerateFiles(Path.Combine(root, "src", "NeighbourHub.Web"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => AuditCall().Matches(File.ReadAllText(f)).Select(m => m.Groups["verb"].Value))
            .Distinct().ToList();

        Assert.True(verbs.Count >= 20, $"Found only {verbs.Count} audited verbs: the scan is broken.");
        var unnamed = verbs.Where(v => !AuditTexts.Actions.ContainsKey(v)).ToList();
        Assert.True(unnamed.Count == 0, "No Chinese for: " + string.Join(", ", unnamed));
    }

    [Fact]
    public void A_change_reads_as_fields_with_old_and_new_values_in_people_s_words()
    {
        using var db = NewContext();
        var row = new AuditRow(1, DateTimeOffset.UtcNow, "firm", "modified", "Repair", "7",
            """{"Status":"Submitted","AssigneeId":null,"DeadlineAt":"2026-12-01T16:30:00+00:00","Description":"楼道灯不亮","LockVersion":3}""",
            """{"Status":"Assigned","AssigneeId":5,"DeadlineAt":"2026-12-01T16:30:00+00:00","Description":"楼道灯不亮","LockVersion":4}""", null);

        var changes = AuditTexts.Changes(db.Model, row);

        Assert.Equal(2, changes.Count); // unchanged fields and the technical version stamp are not shown
        Assert.Contains(new AuditChange("状态", "待派单", "已派单"), changes);
        Assert.Contains(new AuditChange("处理人", null, "5"), changes);

        var refund = new AuditRow(2, DateTimeOffset.UtcNow, "firm", "payment.refund", "Payment", "9", null,
            """{"billId":3,"amountFen":16150,"reason":"多收","OutRefundNo":"R1"}""", null);
        var details = AuditTexts.Changes(db.Model, refund);
        Assert.Contains(new AuditChange("金额", null, "161.50 元"), details);
        Assert.Contains(new AuditChange("原因", null, "多收"), details);

        var added = new AuditRow(3, DateTimeOffset.UtcNow, "firm", "added", "Bill", "4", null,
            """{"Status":"Unpaid","PaidAt":null,"CreatedAt":"2026-11-30T16:00:00+00:00","AmountFen":26850}""", null);
        var created = AuditTexts.Changes(db.Model, added);
        Assert.Contains(new AuditChange("创建时间", null, "2026-12-01 00:00:00"), created); // Beijing time
        Assert.DoesNotContain(created, c => c.Field == "支付时间"); // empty fields of a new record are not listed
        Assert.Equal("新增", AuditTexts.Action("added"));
        Assert.Equal("账单", AuditTexts.Entity("Bill"));
    }

    [GeneratedRegex(@"\.Audit\(\s*""(?<verb>[a-z0-9_.\-]+)""")]
    private static partial Regex AuditCall();
}
