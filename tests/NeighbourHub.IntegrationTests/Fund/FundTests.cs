using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Features.Fund;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Notifications;
using NeighbourHub.Web.Transparency;
using Independent = NeighbourHub.FundVerifier;

namespace NeighbourHub.IntegrationTests;

/// <summary>
/// The owners' fund (信托制) over real HTTP on MariaDB: fee income from sandbox payments, two-key spending,
/// budgets, questions, statements, and a ledger whose every entry a resident can prove — and whose rewriting shows.
/// Estate A1 is served by firmF (the trustee); estate A2 has no firm, so its committee keeps the books.
/// </summary>
public sealed class FundTests(AppFixture fixture) : AppTest(fixture)
{
    private async Task AddAdminAsync(string name, AdminRole role, long scopeId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AdminUser>>();
        var user = new AdminUser { UserName = name, DisplayName = name + "同志", LockoutEnabled = true };
        Assert.True((await users.CreateAsync(user, TestOrg.Password)).Succeeded);
        await using var db = App.SystemDb();
        db.RoleAssignments.Add(RoleAssignment.Create(user.Id, role, scopeId));
        await db.SaveChangesAsync();
    }

    private static async Task<HttpResponseMessage> PostKeyed(HttpClient client, string url, object body, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString("N"));
        return await client.SendAsync(request);
    }

    private string Fund(long estateId, bool admin = false) => admin ? $"/api/v1/admin/estates/{estateId}/fund" : $"/api/v1/estates/{estateId}/fund";

    private async Task DispatchAsync()
    {
        var dispatcher = App.Services.GetRequiredService<OutboxDispatcher>();
        while (await dispatcher.DispatchOnceAsync(CancellationToken.None) > 0)
        {
        }
    }

    /// <summary>Common-area income recorded by the firm: the quickest way to put money in a fund.</summary>
    private async Task<long> IncomeAsync(HttpClient trustee, long estateId, long fen, string category = "parking")
    {
        var response = await PostKeyed(trustee, $"{Fund(estateId, admin: true)}/income", new { amountFen = fen, category, memo = "地面车位 11 月租金", counterparty = "车主 12 人" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await Json(response)).GetProperty("seq").GetInt64();
    }

    private static void AssertInclusion(JsonElement proof)
    {
        var leaf = Convert.FromBase64String(proof.GetProperty("leaf").GetString()!);
        var path = proof.GetProperty("inclusion").GetProperty("path").EnumerateArray().Select(h => Convert.FromHexString(h.GetString()!)).ToList();
        var seq = proof.GetProperty("entry").GetProperty("seq").GetInt64();
        var size = proof.GetProperty("inclusion").GetProperty("treeSize").GetInt64();
        var root = Convert.FromHexString(proof.GetProperty("head").GetProperty("rootHash").GetString()!);
        Assert.True(Independent.MerkleTree.VerifyInclusion(seq, size, Independent.MerkleTree.HashLeaf(leaf), path, root));
        Assert.Equal(proof.GetProperty("entry").GetProperty("leafHash").GetString(), Convert.ToHexStringLower(Independent.MerkleTree.HashLeaf(leaf)));
    }

    [Fact]
    public async Task A_sandbox_payment_becomes_one_income_entry_with_remuneration_and_a_proof_even_with_duplicate_callbacks()
    {
        await AddAdminAsync("committeeA1b", AdminRole.CommitteeMember, Org.EstateA1);
        var committee = await App.AdminClientAsync("committeeA1");
        Assert.Equal(HttpStatusCode.OK, (await committee.PutAsJsonAsync($"{Fund(Org.EstateA1, admin: true)}/remuneration", new { remunerationBp = 1000 })).StatusCode);
        var firm = await App.AdminClientAsync("firmF");
        Assert.Equal(HttpStatusCode.Forbidden, (await firm.PutAsJsonAsync($"{Fund(Org.EstateA1, admin: true)}/remuneration", new { remunerationBp = 3000 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await committee.PutAsJsonAsync($"{Fund(Org.EstateA1, admin: true)}/remuneration", new { remunerationBp = 9000 })).StatusCode);

        var admin = await App.AdminClientAsync("adminA");
        await admin.PostAsJsonAsync("/api/v1/admin/fee-items", new { estateId = Org.EstateA1, name = "物业费", kind = "perAreaMonthly", unitPriceFen = 235, effectiveFrom = "2026-01-01" });
        await admin.PostAsJsonAsync("/api/v1/admin/billing/runs", new { estateId = Org.EstateA1, period = "2026-11" });
        var (resident, _) = await VerifiedResidentAsync("wx-fund-payer", Org.HouseholdsA1[0]);
        var bill = (await Json(await resident.GetAsync("/api/v1/bills?status=unpaid"))).EnumerateArray().Single();
        var order = await Json(await PostKeyed(resident, "/api/v1/payments", new { billIds = new[] { bill.GetProperty("id").GetInt64() } }));
        var outTradeNo = order.GetProperty("outTradeNo").GetString()!;
        Pay.Pay(outTradeNo);
        var callback = Pay.PaymentCallback(outTradeNo);
        var deliveries = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => FakeWeChatPayServer.DeliverAsync(App.CreateClient(), callback)));
        Assert.All(deliveries, d => Assert.Equal(HttpStatusCode.NoContent, d.StatusCode));
        await DispatchAsync();
        await DispatchAsync();

        var amount = bill.GetProperty("amountFen").GetInt64(); // 2.35 × 81.5 m² = 191.53 元
        var summary = await Json(await resident.GetAsync(Fund(Org.EstateA1)));
        Assert.Equal(amount - amount / 10, summary.GetProperty("balanceFen").GetInt64());
        Assert.Equal(1000, summary.GetProperty("remunerationBp").GetInt32());
        var entries = (await Json(await resident.GetAsync($"{Fund(Org.EstateA1)}/entries"))).GetProperty("items").EnumerateArray().OrderBy(e => e.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal(("income", "property_fee", amount, "1栋1单元"), (entries[0].GetProperty("kind").GetString(), entries[0].GetProperty("category").GetString(),
            entries[0].GetProperty("amountFen").GetInt64(), entries[0].GetProperty("counterparty").GetString()));
        Assert.DoesNotContain("101", entries[0].GetProperty("counterparty").GetString(), StringComparison.Ordinal); // building and unit only, never the flat
        Assert.Equal(("remuneration", -(amount / 10)), (entries[1].GetProperty("kind").GetString(), entries[1].GetProperty("amountFen").GetInt64()));

        var proof = await Json(await resident.GetAsync($"{Fund(Org.EstateA1)}/entries/0"));
        AssertInclusion(proof);
        var head = await Json(await resident.GetAsync($"{Fund(Org.EstateA1)}/head"));
        Assert.Equal(2, head.GetProperty("treeSize").GetInt64());
        var keys = await Json(await App.CreateClient().GetAsync("/api/v1/fund/keys"));
        Assert.True(Independent.FundLogVerifier.VerifyHeadSignature(Independent.FundDocuments.ParseHead(head.GetRawText()),
            Independent.FundDocuments.ParseKeys(keys.GetRawText())).Ok);

        // A refund of 10 元 reverses 10 元 of income and 1 元 of remuneration (the trustee keeps 10% of 181.53 元, rounded down).
        var paymentId = order.GetProperty("paymentId").GetInt64();
        var refund = await Json(await firm.PostAsJsonAsync($"/api/v1/admin/payments/{paymentId}/refund", new { billId = bill.GetProperty("id").GetInt64(), amountFen = 1000, reason = "面积核减" }));
        await FakeWeChatPayServer.DeliverAsync(App.CreateClient(), Pay.RefundCallback(refund.GetProperty("outRefundNo").GetString()!, "SUCCESS"), "/api/v1/payments/wechat/refund-notify");
        await DispatchAsync();
        var after = await Json(await resident.GetAsync($"{Fund(Org.EstateA1)}/entries?kind=reversal"));
        Assert.Equal([-1000L, 100L], after.GetProperty("items").EnumerateArray().OrderBy(e => e.GetProperty("seq").GetInt64()).Select(e => e.GetProperty("amountFen").GetInt64()));
        Assert.Equal(amount - amount / 10 - 900, (await Json(await resident.GetAsync(Fund(Org.EstateA1)))).GetProperty("balanceFen").GetInt64());
        var verify = await Json(await resident.GetAsync($"{Fund(Org.EstateA1)}/verify"));
        Assert.True(verify.GetProperty("valid").GetBoolean(), verify.GetProperty("message").GetString());
        Assert.Equal(4, verify.GetProperty("entries").GetInt64());
    }

    [Fact]
    public async Task The_firm_cannot_spend_without_the_committee_and_a_paid_expense_reaches_the_ledger_once()
    {
        var firm = await App.AdminClientAsync("firmF");
        var committee = await App.AdminClientAsync("committeeA1");
        await IncomeAsync(firm, Org.EstateA1, 500_000);

        var proposed = await PostKeyed(firm, $"{Fund(Org.EstateA1, admin: true)}/expenses", new { amountFen = 120_000, payee = "柳州某保洁公司", memo = "11 月保洁外包" }, "exp-1");
        Assert.Equal(HttpStatusCode.Created, proposed.StatusCode);
        var expense = await Json(proposed);
        var id = expense.GetProperty("id").GetInt64();
        Assert.Equal("proposed", expense.GetProperty("status").GetString());
        Assert.True(expense.GetProperty("overPlan").GetBoolean()); // no approved budget line: one approval more
        Assert.Equal(2, expense.GetProperty("approvalsRequired").GetInt32());
        Assert.Equal(id, (await Json(await PostKeyed(firm, $"{Fund(Org.EstateA1, admin: true)}/expenses", new { amountFen = 120_000, payee = "柳州某保洁公司", memo = "11 月保洁外包" }, "exp-1"))).GetProperty("id").GetInt64());

        // The firm holds one key only: it cannot approve, and cannot pay what is not approved.
        Assert.Equal(HttpStatusCode.Forbidden, (await firm.PostAsync($"{Fund(Org.EstateA1, admin: true)}/expenses/{id}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await PostKeyed(firm, $"{Fund(Org.EstateA1, admin: true)}/expenses/{id}/pay", new { voucherNo = "PZ-001" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostKeyed(committee, $"{Fund(Org.EstateA1, admin: true)}/expenses/{id}/pay", new { voucherNo = "PZ-001" })).StatusCode);

        // Over plan: one committee member is not enough; a second, racing the first's repeat, completes it.
        Assert.Equal("proposed", (await Json(await committee.PostAsync($"{Fund(Org.EstateA1, admin: true)}/expenses/{id}/approve", null))).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await committee.PostAsync($"{Fund(Org.EstateA1, admin: true)}/expenses/{id}/approve", null)).StatusCode);
        await AddAdminAsync("committeeA1b", AdminRole.CommitteeMember, Org.EstateA1);
        var second = await App.AdminClientAsync("committeeA1b");
        Assert.Equal("approved", (await Json(await second.PostAsync($"{Fund(Org.EstateA1, admin: true)}/expenses/{id}/approve", null))).GetProperty("status").GetString());

        // Ten racing payments (different keys) pay once: one entry, one balance change; the rest are 409.
        var pays = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => PostKeyed(firm, $"{Fund(Org.EstateA1, admin: true)}/expenses/{id}/pay", new { voucherNo = "PZ-2026-118" }, $"pay-{i}")));
        Assert.Single(pays, p => p.StatusCode == HttpStatusCode.OK);
        Assert.All(pays.Where(p => p.StatusCode != HttpStatusCode.OK), p => Assert.Equal(HttpStatusCode.Conflict, p.StatusCode));
        var story = await Json(await firm.GetAsync($"{Fund(Org.EstateA1, admin: true)}/expenses/{id}"));
        Assert.Equal("paid", story.GetProperty("status").GetString());
        Assert.Equal(["proposed", "approved", "approved", "approved_all", "paid"], story.GetProperty("timeline").EnumerateArray().Select(s => s.GetProperty("action").GetString()));
        Assert.Equal(2, story.GetProperty("approvals").GetArrayLength());
        var headAfter = story.GetProperty("headAfterPayment");
        Assert.Equal(story.GetProperty("entrySeq").GetInt64() + 1, headAfter.GetProperty("treeSize").GetInt64());
        await using var db = App.SystemDb();
        var entry = await db.FundEntries.SingleAsync(e => e.ExpenseId == id);
        Assert.Equal((FundEntryKind.Expense, -120_000L), (entry.Kind, entry.AmountFen));
        Assert.Equal(380_000, (await db.FundAccounts.SingleAsync(f => f.EstateId == Org.EstateA1)).BalanceFen);

        // A payment that would overdraw the fund is refused and writes nothing.
        var big = (await Json(await PostKeyed(firm, $"{Fund(Org.EstateA1, admin: true)}/expenses", new { amountFen = 400_000, payee = "某电梯公司", memo = "更换曳引机" }))).GetProperty("id").GetInt64();
        await committee.PostAsync($"{Fund(Org.EstateA1, admin: true)}/expenses/{big}/approve", null);
        await second.PostAsync($"{Fund(Org.EstateA1, admin: true)}/expenses/{big}/approve", null);
        var overdraw = await PostKeyed(firm, $"{Fund(Org.EstateA1, admin: true)}/expenses/{big}/pay", new { voucherNo = "PZ-2026-119" });
        Assert.Equal(HttpStatusCode.Conflict, overdraw.StatusCode);
        Assert.Contains("余额", (await Json(overdraw)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("approved", (await Json(await firm.GetAsync($"{Fund(Org.EstateA1, admin: true)}/expenses/{big}"))).GetProperty("status").GetString());
        Assert.Equal(2, await db.FundEntries.CountAsync(e => e.EstateId == Org.EstateA1));

        // Reject needs a reason; a rejected proposal cannot be approved or paid.
        var third = (await Json(await PostKeyed(firm, $"{Fund(Org.EstateA1, admin: true)}/expenses", new { amountFen = 9_900, payee = "某广告公司", memo = "宣传栏" }))).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.BadRequest, (await committee.PostAsJsonAsync($"{Fund(Org.EstateA1, admin: true)}/expenses/{third}/reject", new { reason = "" })).StatusCode);
        Assert.Equal("rejected", (await Json(await committee.PostAsJsonAsync($"{Fund(Org.EstateA1, admin: true)}/expenses/{third}/reject", new { reason = "报价过高，请比价" }))).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await second.PostAsync($"{Fund(Org.EstateA1, admin: true)}/expenses/{third}/approve", null)).StatusCode);
    }

    [Fact]
    public async Task In_a_self_managed_estate_the_proposer_never_approves_and_a_budget_line_sets_the_approvals()
    {
        await AddAdminAsync("keeperA2", AdminRole.CommitteeMember, Org.EstateA2);
        await AddAdminAsync("checkerA2", AdminRole.CommitteeMember, Org.EstateA2);
        var keeper = await App.AdminClientAsync("keeperA2");
        var checker = await App.AdminClientAsync("checkerA2");
        var year = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).Year;
        await IncomeAsync(keeper, Org.EstateA2, 300_000, "advertising");

        var draft = await keeper.PutAsJsonAsync($"{Fund(Org.EstateA2, admin: true)}/budgets/{year}", new { lines = new[] { new { name = "保洁", plannedFen = 100_000L }, new { name = "公共照明", plannedFen = 20_000L } } });
        Assert.Equal(HttpStatusCode.OK, draft.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await keeper.PutAsJsonAsync($"{Fund(Org.EstateA2, admin: true)}/budgets/{year}", new { lines = new[] { new { name = "保洁", plannedFen = 1L }, new { name = "保洁", plannedFen = 2L } } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await keeper.PostAsync($"{Fund(Org.EstateA2, admin: true)}/budgets/{year}/approve", null)).StatusCode);
        var approved = await Json(await checker.PostAsync($"{Fund(Org.EstateA2, admin: true)}/budgets/{year}/approve", null));
        Assert.Equal("approved", approved.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await keeper.PutAsJsonAsync($"{Fund(Org.EstateA2, admin: true)}/budgets/{year}", new { lines = new[] { new { name = "保洁", plannedFen = 1L } } })).StatusCode);
        var cleaning = approved.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "保洁").GetProperty("lineId").GetInt64();

        // Within plan: one approval, by someone other than the proposer.
        var within = await Json(await PostKeyed(keeper, $"{Fund(Org.EstateA2, admin: true)}/expenses", new { amountFen = 60_000, budgetLineId = cleaning, payee = "保洁阿姨 3 人", memo = "10–11 月保洁" }));
        Assert.Equal((false, 1), (within.GetProperty("overPlan").GetBoolean(), within.GetProperty("approvalsRequired").GetInt32()));
        var withinId = within.GetProperty("id").GetInt64();
        var own = await keeper.PostAsync($"{Fund(Org.EstateA2, admin: true)}/expenses/{withinId}/approve", null);
        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        Assert.Contains("不能自己批准", (await Json(own)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("approved", (await Json(await checker.PostAsync($"{Fund(Org.EstateA2, admin: true)}/expenses/{withinId}/approve", null))).GetProperty("status").GetString());

        // 60,000 committed of 100,000 planned: another 50,000 would go over, so it needs one approval more.
        var over = await Json(await PostKeyed(keeper, $"{Fund(Org.EstateA2, admin: true)}/expenses", new { amountFen = 50_000, budgetLineId = cleaning, payee = "保洁阿姨 3 人", memo = "12 月保洁" }));
        Assert.Equal((true, 2), (over.GetProperty("overPlan").GetBoolean(), over.GetProperty("approvalsRequired").GetInt32()));
        var budget = await Json(await checker.GetAsync($"{Fund(Org.EstateA2, admin: true)}/budgets/{year}"));
        var line = budget.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("lineId").GetInt64() == cleaning);
        Assert.Equal((100_000L, 60_000L, 0L), (line.GetProperty("plannedFen").GetInt64(), line.GetProperty("committedFen").GetInt64(), line.GetProperty("spentFen").GetInt64()));
    }

    [Fact]
    public async Task Owners_question_an_expense_in_public_and_text_is_screened_first()
    {
        var firm = await App.AdminClientAsync("firmF");
        await IncomeAsync(firm, Org.EstateA1, 100_000);
        var id = (await Json(await PostKeyed(firm, $"{Fund(Org.EstateA1, admin: true)}/expenses", new { amountFen = 30_000, payee = "某灯具店", memo = "更换路灯 12 盏" }))).GetProperty("id").GetInt64();
        var (owner, _) = await VerifiedResidentAsync("wx-fund-owner", Org.HouseholdsA1[1]);
        var tenant = await App.ResidentClientAsync("wx-fund-tenant");
        var residence = await ApplyAsync(tenant, Org.HouseholdsA1[2], relation: "tenant");
        await (await App.AdminClientAsync("adminA")).PostAsync($"/api/v1/admin/residences/{residence}/approve", null);

        var asked = await owner.PostAsJsonAsync($"{Fund(Org.EstateA1)}/expenses/{id}/questions", new { text = "路灯单价为什么比网上贵一倍？" });
        Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        var question = await Json(asked);
        Assert.Equal("业主（1栋1单元）", question.GetProperty("askedBy").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.PostAsJsonAsync($"{Fund(Org.EstateA1)}/expenses/{id}/questions", new { text = "我也想问" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await owner.PostAsJsonAsync($"{Fund(Org.EstateA1)}/expenses/{id}/questions", new { text = "这是违禁内容" })).StatusCode);
        var held = await Json(await owner.PostAsJsonAsync($"{Fund(Org.EstateA1)}/expenses/{id}/questions", new { text = "此条待审" }));
        Assert.True(held.GetProperty("held").GetBoolean());

        // Neighbours see the published question, not the held one; the firm answers in public.
        var seenByTenant = await Json(await tenant.GetAsync($"{Fund(Org.EstateA1)}/expenses/{id}"));
        Assert.Single(seenByTenant.GetProperty("questions").EnumerateArray());
        Assert.Equal(HttpStatusCode.Forbidden, (await (await App.AdminClientAsync("committeeA1")).PostAsJsonAsync(
            $"{Fund(Org.EstateA1, admin: true)}/questions/{question.GetProperty("id").GetInt64()}/answer", new { text = "不归我答" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await firm.PostAsJsonAsync($"{Fund(Org.EstateA1, admin: true)}/questions/{question.GetProperty("id").GetInt64()}/answer",
            new { text = "含安装与三年质保，报价单已上传。" })).StatusCode);
        var story = await Json(await tenant.GetAsync($"{Fund(Org.EstateA1)}/expenses/{id}"));
        Assert.Equal("含安装与三年质保，报价单已上传。", story.GetProperty("questions")[0].GetProperty("answer").GetString());
        Assert.Contains("answered", story.GetProperty("timeline").EnumerateArray().Select(s => s.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task Residents_and_staff_outside_the_estate_find_no_fund()
    {
        var firm = await App.AdminClientAsync("firmF");
        var seq = await IncomeAsync(firm, Org.EstateA1, 10_000);
        var id = (await Json(await PostKeyed(firm, $"{Fund(Org.EstateA1, admin: true)}/expenses", new { amountFen = 1_000, payee = "某五金店", memo = "门锁" }))).GetProperty("id").GetInt64();
        var (outsider, _) = await VerifiedResidentAsync("wx-fund-outsider", Org.HouseholdsA2[0]);
        var adminB = await App.AdminClientAsync("adminB");
        string[] reads = ["", "/entries", $"/entries/{seq}", "/head", "/consistency?first=0&second=1", "/verify", "/export", "/expenses", $"/expenses/{id}", "/statements",
            $"/statements/{DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)):yyyy-MM}"];
        foreach (var path in reads)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync(Fund(Org.EstateA1) + path)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await adminB.GetAsync(Fund(Org.EstateA1, admin: true) + path)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await outsider.PostAsJsonAsync($"{Fund(Org.EstateA1)}/expenses/{id}/questions", new { text = "？" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.PostAsync($"{Fund(Org.EstateA1, admin: true)}/expenses/{id}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostKeyed(adminB, $"{Fund(Org.EstateA1, admin: true)}/income", new { amountFen = 1, category = "parking", memo = "x", counterparty = "x" })).StatusCode);
        // The outsider's own estate has an (empty) fund of its own.
        Assert.Equal(0, (await Json(await outsider.GetAsync(Fund(Org.EstateA2)))).GetProperty("balanceFen").GetInt64());
    }

    [Fact]
    public async Task A_row_changed_behind_the_apps_back_is_named_by_verify_and_breaks_the_owners_saved_head()
    {
        var firm = await App.AdminClientAsync("firmF");
        for (var i = 0; i < 6; i++)
        {
            await IncomeAsync(firm, Org.EstateA1, 10_000 + i);
        }

        var (owner, _) = await VerifiedResidentAsync("wx-fund-watcher", Org.HouseholdsA1[0]);
        var saved = await owner.GetStringAsync($"{Fund(Org.EstateA1)}/head"); // what the owner's phone keeps
        for (var i = 0; i < 3; i++)
        {
            await IncomeAsync(firm, Org.EstateA1, 20_000 + i);
        }

        // Before: everything holds, for the server and for the independent verifier reading the export.
        Assert.True((await Json(await owner.GetAsync($"{Fund(Org.EstateA1)}/verify"))).GetProperty("valid").GetBoolean());
        Assert.True((await OutsideCheckAsync(owner, saved)).Ok);

        // Someone with database access turns 100.04 元 into 1.04 元.
        await using (var db = App.SystemDb())
        {
            Assert.Equal(1, await db.Database.ExecuteSqlRawAsync("UPDATE FundEntries SET AmountFen = 104 WHERE EstateId = {0} AND Seq = 4", Org.EstateA1));
        }

        var verify = await Json(await owner.GetAsync($"{Fund(Org.EstateA1)}/verify"));
        Assert.False(verify.GetProperty("valid").GetBoolean());
        Assert.Equal(4, verify.GetProperty("firstBadSeq").GetInt64());
        Assert.Contains("第 4 条", verify.GetProperty("message").GetString(), StringComparison.Ordinal);
        var proof = await Json(await owner.GetAsync($"{Fund(Org.EstateA1)}/entries/4"));
        var leaf = Convert.FromBase64String(proof.GetProperty("leaf").GetString()!);
        var path = proof.GetProperty("inclusion").GetProperty("path").EnumerateArray().Select(h => Convert.FromHexString(h.GetString()!)).ToList();
        Assert.False(Independent.MerkleTree.VerifyInclusion(4, 9, Independent.MerkleTree.HashLeaf(leaf), path, Convert.FromHexString(proof.GetProperty("head").GetProperty("rootHash").GetString()!)));
        var outside = await OutsideCheckAsync(owner, saved);
        Assert.False(outside.Ok);
        Assert.Contains(outside.Failures, f => f.Message.Contains("第 4 条", StringComparison.Ordinal) || f.Message.Contains("根哈希", StringComparison.Ordinal));
    }

    /// <summary>What an owner runs at home: the tool in tools/ over the export, the head, the keys and a proof from their saved head.</summary>
    private async Task<Independent.VerificationReport> OutsideCheckAsync(HttpClient owner, string savedHead)
    {
        var head = Independent.FundDocuments.ParseHead(await owner.GetStringAsync($"{Fund(Org.EstateA1)}/head"));
        var saved = Independent.FundDocuments.ParseHead(savedHead);
        return Independent.FundLogVerifier.Verify(new Independent.FundLogInput(Org.EstateA1.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Independent.FundDocuments.ParseExport(await owner.GetStringAsync($"{Fund(Org.EstateA1)}/export")), head,
            Independent.FundDocuments.ParseKeys(await App.CreateClient().GetStringAsync("/api/v1/fund/keys")))
        {
            SavedHead = saved,
            Consistency = Independent.FundDocuments.ParseConsistency(await owner.GetStringAsync($"{Fund(Org.EstateA1)}/consistency?first={saved.TreeSize}&second={head.TreeSize}")),
        });
    }

    [Fact]
    public async Task The_monthly_statement_adds_up_and_carries_the_head_and_bad_input_is_refused_in_chinese()
    {
        var firm = await App.AdminClientAsync("firmF");
        await IncomeAsync(firm, Org.EstateA1, 80_000, "parking");
        await IncomeAsync(firm, Org.EstateA1, 20_000, "advertising");
        var month = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var statement = await Json(await firm.GetAsync($"{Fund(Org.EstateA1, admin: true)}/statements/{month}"));
        Assert.False(statement.GetProperty("final").GetBoolean());
        Assert.Equal((0L, 100_000L, 100_000L), (statement.GetProperty("openingFen").GetInt64(), statement.GetProperty("incomeFen").GetInt64(), statement.GetProperty("closingFen").GetInt64()));
        Assert.Equal(2, statement.GetProperty("head").GetProperty("treeSize").GetInt64());
        var xlsx = await firm.GetAsync($"{Fund(Org.EstateA1, admin: true)}/statements/{month}.xlsx");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        Assert.Equal(month, Assert.Single((await Json(await firm.GetAsync($"{Fund(Org.EstateA1, admin: true)}/statements"))).EnumerateArray()).GetString());

        var bad = new (string Url, object Body)[]
        {
            ($"{Fund(Org.EstateA1, admin: true)}/income", new { amountFen = -5, category = "parking", memo = "x", counterparty = "x" }),
            ($"{Fund(Org.EstateA1, admin: true)}/income", new { amountFen = 5, category = "lottery", memo = "x", counterparty = "x" }),
            ($"{Fund(Org.EstateA1, admin: true)}/expenses", new { amountFen = 5, payee = "", memo = "x" }),
            ($"{Fund(Org.EstateA1, admin: true)}/expenses", new { amountFen = 5, payee = "x", memo = "x", budgetLineId = 999_999 }),
            ($"{Fund(Org.EstateA1, admin: true)}/expenses", new { amountFen = 5, payee = "x", memo = "x", attachmentIds = new[] { "0123456789abcdef0123456789abcdef" } }),
        };
        foreach (var (url, body) in bad)
        {
            var response = await PostKeyed(firm, url, body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Matches("[\u4e00-\u9fff]", (await response.Content.ReadAsStringAsync()));
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await firm.PostAsJsonAsync($"{Fund(Org.EstateA1, admin: true)}/expenses", new { amountFen = 5, payee = "x", memo = "x" })).StatusCode); // no key
        Assert.Equal(HttpStatusCode.BadRequest, (await firm.GetAsync($"{Fund(Org.EstateA1, admin: true)}/statements/2026-13")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await firm.GetAsync($"{Fund(Org.EstateA1, admin: true)}/consistency?first=2&second=99")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await firm.GetAsync($"{Fund(Org.EstateA1, admin: true)}/entries?kind=gift")).StatusCode);
        Assert.Equal(2, (await Json(await firm.GetAsync(Fund(Org.EstateA1, admin: true)))).GetProperty("recent").GetArrayLength());
    }

    [Fact]
    public async Task The_summary_kept_between_views_follows_every_step_of_the_fund_at_once()
    {
        // The summary keeps its parts per instance while one query says nothing they depend on changed (FundQueries.SummaryAsync).
        // After every kind of change, what a resident sees equals a summary read whole by an instance that kept nothing.
        await AddAdminAsync("keeperA2s", AdminRole.CommitteeMember, Org.EstateA2);
        await AddAdminAsync("checkerA2s", AdminRole.CommitteeMember, Org.EstateA2);
        var keeper = await App.AdminClientAsync("keeperA2s");
        var checker = await App.AdminClientAsync("checkerA2s");
        var (owner, _) = await VerifiedResidentAsync("wx-fund-kept", Org.HouseholdsA2[0]);
        var year = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).Year;
        var admin = Fund(Org.EstateA2, admin: true);

        async Task<JsonElement> SeenAsync(string step)
        {
            var seen = await Json(await owner.GetAsync(Fund(Org.EstateA2)));
            var nothingKept = ActivatorUtilities.CreateInstance<FundQueries>(App.Services);
            await using var db = App.SystemDb();
            var whole = await nothingKept.SummaryAsync(db, Org.EstateA2, default);
            Assert.True(whole.BalanceFen == seen.GetProperty("balanceFen").GetInt64(), step);
            Assert.True(whole.IncomeFen == seen.GetProperty("incomeFen").GetInt64() && whole.ExpenseFen == seen.GetProperty("expenseFen").GetInt64(), step);
            Assert.True(whole.RemunerationBp == seen.GetProperty("remunerationBp").GetInt32(), step);
            Assert.True(whole.BudgetStatus == seen.GetProperty("budgetStatus").GetString(), step);
            Assert.Equal(whole.Budget.Select(l => $"{l.Name}:{l.PlannedFen}/{l.CommittedFen}/{l.SpentFen}"),
                seen.GetProperty("budget").EnumerateArray().Select(l => $"{l.GetProperty("name")}:{l.GetProperty("plannedFen")}/{l.GetProperty("committedFen")}/{l.GetProperty("spentFen")}"));
            Assert.Equal(whole.Recent.Select(e => e.Seq), seen.GetProperty("recent").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()));
            Assert.True(whole.Head.TreeSize == seen.GetProperty("head").GetProperty("treeSize").GetInt64()
                        && whole.Head.RootHash == seen.GetProperty("head").GetProperty("rootHash").GetString(), step);
            Assert.True(whole.OpenExpenses == seen.GetProperty("openExpenses").GetInt32(), step);
            Assert.True(whole.UnansweredQuestions == seen.GetProperty("unansweredQuestions").GetInt32(), step);
            return seen;
        }

        await SeenAsync("an empty fund");
        await IncomeAsync(keeper, Org.EstateA2, 300_000, "advertising");
        Assert.Equal(300_000, (await SeenAsync("income")).GetProperty("balanceFen").GetInt64());

        Assert.Equal(HttpStatusCode.OK, (await keeper.PutAsJsonAsync($"{admin}/budgets/{year}", new { lines = new[] { new { name = "保洁", plannedFen = 100_000L } } })).StatusCode);
        Assert.Equal("draft", (await SeenAsync("budget drafted")).GetProperty("budgetStatus").GetString());
        Assert.Equal(HttpStatusCode.OK, (await keeper.PutAsJsonAsync($"{admin}/budgets/{year}",
            new { lines = new[] { new { name = "保洁", plannedFen = 120_000L }, new { name = "绿化", plannedFen = 30_000L } } })).StatusCode);
        Assert.Equal(2, (await SeenAsync("budget redrafted")).GetProperty("budget").GetArrayLength());
        var approved = await Json(await checker.PostAsync($"{admin}/budgets/{year}/approve", null));
        Assert.Equal("approved", (await SeenAsync("budget approved")).GetProperty("budgetStatus").GetString());
        var cleaning = approved.GetProperty("lines")[0].GetProperty("lineId").GetInt64();

        async Task<long> ProposeAsync(long fen) =>
            (await Json(await PostKeyed(keeper, $"{admin}/expenses", new { amountFen = fen, budgetLineId = cleaning, payee = "保洁阿姨 3 人", memo = "保洁" }))).GetProperty("id").GetInt64();
        var paid = await ProposeAsync(60_000);
        Assert.Equal(1, (await SeenAsync("proposed")).GetProperty("openExpenses").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await checker.PostAsync($"{admin}/expenses/{paid}/approve", null)).StatusCode);
        Assert.Equal(60_000, (await SeenAsync("approved")).GetProperty("budget")[0].GetProperty("committedFen").GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await PostKeyed(keeper, $"{admin}/expenses/{paid}/pay", new { voucherNo = "PZ-A2-001" })).StatusCode);
        var afterPay = await SeenAsync("paid");
        Assert.Equal((60_000L, 240_000L), (afterPay.GetProperty("budget")[0].GetProperty("spentFen").GetInt64(), afterPay.GetProperty("balanceFen").GetInt64()));

        var cancelled = await ProposeAsync(10_000);
        Assert.Equal(HttpStatusCode.OK, (await checker.PostAsync($"{admin}/expenses/{cancelled}/approve", null)).StatusCode);
        Assert.Equal(10_000, (await SeenAsync("second approved")).GetProperty("budget")[0].GetProperty("committedFen").GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await keeper.PostAsJsonAsync($"{admin}/expenses/{cancelled}/cancel", new { reason = "改由业主义务劳动" })).StatusCode);
        Assert.Equal(0, (await SeenAsync("cancelled")).GetProperty("budget")[0].GetProperty("committedFen").GetInt64());
        var rejected = await ProposeAsync(5_000);
        Assert.Equal(HttpStatusCode.OK, (await checker.PostAsJsonAsync($"{admin}/expenses/{rejected}/reject", new { reason = "报价过高" })).StatusCode);
        Assert.Equal(0, (await SeenAsync("rejected")).GetProperty("openExpenses").GetInt32());

        var asked = await Json(await owner.PostAsJsonAsync($"{Fund(Org.EstateA2)}/expenses/{paid}/questions", new { text = "保洁费按几个人算的？" }));
        Assert.Equal(1, (await SeenAsync("asked")).GetProperty("unansweredQuestions").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await keeper.PostAsJsonAsync($"{admin}/questions/{asked.GetProperty("id").GetInt64()}/answer", new { text = "三人，每人每月一万元。" })).StatusCode);
        Assert.Equal(0, (await SeenAsync("answered")).GetProperty("unansweredQuestions").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await checker.PutAsJsonAsync($"{admin}/remuneration", new { remunerationBp = 500 })).StatusCode);
        Assert.Equal(500, (await SeenAsync("remuneration")).GetProperty("remunerationBp").GetInt32());
    }

    [Fact]
    public async Task The_summarys_year_totals_equal_a_recount_while_incomes_race_and_after_the_ledger_is_replaced()
    {
        // The totals are kept per instance and only the entries appended since are added (FundYearTotals).
        var firm = await App.AdminClientAsync("firmF");
        var (owner, _) = await VerifiedResidentAsync("wx-fund-totals", Org.HouseholdsA1[1]);
        await IncomeAsync(firm, Org.EstateA1, 10_000);
        Assert.Equal(10_000, (await Json(await owner.GetAsync(Fund(Org.EstateA1)))).GetProperty("incomeFen").GetInt64());

        // Twenty incomes race twenty summary reads: every read is some prefix of the ledger, the last one all of it.
        var reads = new System.Collections.Concurrent.ConcurrentBag<long>();
        await Task.WhenAll(Enumerable.Range(1, 20).Select(async i =>
        {
            await IncomeAsync(firm, Org.EstateA1, i * 100);
            reads.Add((await Json(await owner.GetAsync(Fund(Org.EstateA1)))).GetProperty("incomeFen").GetInt64());
        }));
        Assert.All(reads, r => Assert.InRange(r, 10_100, 10_000 + 21_000));
        var final = await Json(await owner.GetAsync(Fund(Org.EstateA1)));
        await using (var db = App.SystemDb())
        {
            var recount = await db.FundEntries.Where(e => e.EstateId == Org.EstateA1 && e.Kind == FundEntryKind.Income).SumAsync(e => e.AmountFen);
            Assert.Equal(10_000 + 21_000, recount);
            Assert.Equal(recount, final.GetProperty("incomeFen").GetInt64());
        }

        // A different ledger under the running app (a database restored without a restart) is summed afresh, not added to.
        // Rows written straight to the table, in an estate of its own: only FundYearTotals reads them here.
        var totals = App.Services.GetRequiredService<FundYearTotals>();
        var yearStart = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUniversalTime();
        async Task<FundYearSums> LedgerAsync(string tag, params long[] amounts)
        {
            await using var db = App.SystemDb();
            db.FundEntries.RemoveRange(db.FundEntries.Where(e => e.EstateId == Org.EstateB1));
            await db.SaveChangesAsync();
            db.FundEntries.AddRange(amounts.Select((fen, seq) => new FundEntry
            {
                EstateId = Org.EstateB1,
                Seq = seq,
                At = yearStart.AddDays(seq),
                Kind = FundEntryKind.Income,
                AmountFen = fen,
                Category = "parking",
                SourceKey = $"{tag}:{seq}",
            }));
            await db.SaveChangesAsync();
            await using var reader = App.SystemDb();
            return await totals.ReadAsync(reader, Org.EstateB1, 2026, yearStart, default);
        }

        Assert.Equal((2, 600L), ((await LedgerAsync("first", 100, 200, 300)) is var a ? (a.UpToSeq, a.IncomeFen) : default));
        Assert.Equal((1, 9_000L), ((await LedgerAsync("restored", 4_000, 5_000)) is var b ? (b.UpToSeq, b.IncomeFen) : default));
        Assert.Equal((3, 9_000L + 7_000), ((await LedgerAsync("restored-on", 4_000, 5_000, 3_000, 4_000)) is var c ? (c.UpToSeq, c.IncomeFen) : default));
    }
}

/// <summary>Appends from two instances at once: one log, seq without gaps, every head extending the one before.</summary>
[Collection(TwoInstancesCollection.Name)]
public sealed class FundLogRaceTests(TwoInstancesFixture fixture)
{
    [Fact]
    public async Task Two_hundred_parallel_incomes_on_two_instances_make_seq_0_to_199_and_consistent_heads()
    {
        var estateId = fixture.Org.EstateB1;
        var instances = new[] { fixture.InstanceA, fixture.InstanceB };
        using var start = new SemaphoreSlim(0);
        var appends = Enumerable.Range(0, 200).Select(async i =>
        {
            var app = instances[i % 2];
            await start.WaitAsync();
            await using var db = app.SystemDb();
            var ledger = app.Services.GetRequiredService<FundLedger>();
            await ledger.AppendAsync(db, estateId, [new EntryDraft(FundEntryKind.Income, 100 + i, FundCategories.PropertyFee, $"并发收入 {i}", "1栋1单元", $"race:{estateId}:{i}")],
                mayOverdraw: true, CancellationToken.None);
        }).ToList();
        start.Release(200);
        await Task.WhenAll(appends);
        // A redelivered source appends nothing.
        await using (var again = fixture.InstanceB.SystemDb())
        {
            await fixture.InstanceB.Services.GetRequiredService<FundLedger>().AppendAsync(again, estateId,
                [new EntryDraft(FundEntryKind.Income, 100, FundCategories.PropertyFee, "重复", "1栋1单元", $"race:{estateId}:0")], mayOverdraw: true, CancellationToken.None);
        }

        await using var db = fixture.InstanceA.SystemDb();
        var seqs = await db.FundEntries.Where(e => e.EstateId == estateId).OrderBy(e => e.Seq).Select(e => e.Seq).ToListAsync();
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), seqs);
        Assert.Equal(Enumerable.Range(0, 200).Sum(i => 100L + i), (await db.FundAccounts.SingleAsync(f => f.EstateId == estateId)).BalanceFen);

        var fund = await db.FundAccounts.SingleAsync(f => f.EstateId == estateId);
        var heads = await db.TransparencyHeads.Where(h => h.LogId == fund.LogId).OrderBy(h => h.TreeSize).ToListAsync();
        Assert.Equal(Enumerable.Range(0, 201).Select(i => (long)i), heads.Select(h => h.TreeSize));
        var logs = fixture.InstanceA.Services.GetRequiredService<TransparencyLogs>();
        for (var i = 1; i < heads.Count; i++)
        {
            Assert.True(logs.VerifyHead(FundLedger.LogKind, heads[i], estateId));
            var path = await logs.ConsistencyPathAsync(db, fund.LogId, heads[i - 1].TreeSize, heads[i].TreeSize, CancellationToken.None);
            Assert.True(MerkleTree.VerifyConsistency(heads[i - 1].TreeSize, heads[i].TreeSize, Convert.FromHexString(heads[i - 1].RootHash), Convert.FromHexString(heads[i].RootHash), path),
                $"head {i} does not extend head {i - 1}");
        }

        var leaves = (await db.FundEntries.Where(e => e.EstateId == estateId).OrderBy(e => e.Seq).ToListAsync()).Select(FundLeaf.Hash).ToList();
        Assert.Equal(heads[^1].RootHash, Convert.ToHexStringLower(TransparencyLogs.RootOf(leaves)));
    }
}
