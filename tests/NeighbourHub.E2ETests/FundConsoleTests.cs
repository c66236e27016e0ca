using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using NeighbourHub.Web.Transparency;

namespace NeighbourHub.E2ETests;

/// <summary>
/// The owners' fund's two keys in the console: the firm (trustee) records income and proposes, the committee
/// approves, the firm pays; then a resident of the estate reads the paid entry through the API with an inclusion
/// proof that verifies against the signed head.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class FundConsoleTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Firm_proposes_committee_approves_firm_pays_and_a_resident_verifies_the_entry()
    {
        var estate = fixture.Org.EstateA1;
        var year = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).Year;
        using var firmApi = await fixture.AdminApiAsync("firmF");
        using var committeeApi = await fixture.AdminApiAsync("committeeA1");
        // This year's budget, drafted by the firm and approved by the committee (the budget page has its own keys; not this test's subject).
        var draft = await firmApi.PutAsJsonAsync($"/api/v1/admin/estates/{estate}/fund/budgets/{year}", new { lines = new[] { new { name = "保洁", plannedFen = 5_000_000 } } });
        Assert.True(draft.IsSuccessStatusCode, await draft.Content.ReadAsStringAsync());
        var approved = await committeeApi.PostAsync($"/api/v1/admin/estates/{estate}/fund/budgets/{year}/approve", null);
        Assert.True(approved.IsSuccessStatusCode, await approved.Content.ReadAsStringAsync());

        // The firm records parking income, so the fund can pay.
        var firm = await fixture.SignInAsync("firmF");
        await firm.GotoAsync($"/admin/fund/ledger?estate={estate}");
        await firm.GetByTestId("fund-record-income").ClickAsync();
        await firm.GetByLabel("金额（元）").FillAsync("5000");
        await firm.GetByLabel("说明").FillAsync("11月地面车位月租");
        await firm.GetByLabel("付款方").FillAsync("停车场收费系统");
        await firm.GetByTestId("income-save").ClickAsync();
        await Assertions.Expect(firm.GetByText("停车收益 5000.00 元")).ToBeVisibleAsync();

        // The firm proposes; it holds no approve button of its own.
        await firm.GotoAsync($"/admin/fund/expenses?estate={estate}");
        await firm.GetByTestId("expense-propose").ClickAsync();
        await firm.GetByLabel("金额（元）").FillAsync("1280.50");
        await firm.GetByLabel("收款方").FillAsync("洁美保洁");
        await firm.GetByLabel("用途说明").FillAsync("11月楼道保洁");
        await firm.GetByTestId("propose-save").ClickAsync();
        await Assertions.Expect(firm.GetByText("等待 1 位业委会成员批准")).ToBeVisibleAsync();
        var expenses = await firmApi.GetFromJsonAsync<JsonElement>($"/api/v1/admin/estates/{estate}/fund/expenses");
        var expense = Items(expenses).Single(e => e.GetProperty("payee").GetString() == "洁美保洁");
        var id = expense.GetProperty("id").GetInt64();
        Assert.Equal(128_050, expense.GetProperty("amountFen").GetInt64());
        await Assertions.Expect(firm.GetByTestId($"expense-{id}")).ToBeVisibleAsync();
        Assert.Equal(0, await firm.GetByTestId($"expense-{id}-approve").CountAsync());

        // The committee turns the second key.
        var committee = await fixture.SignInAsync("committeeA1");
        await committee.GotoAsync($"/admin/fund/expenses?estate={estate}");
        await committee.GetByTestId($"expense-{id}-approve").ClickAsync();
        await Assertions.Expect(committee.GetByText($"支出单 #{id} 已批准，可以支付。")).ToBeVisibleAsync();
        Assert.Equal(0, await committee.GetByTestId($"expense-{id}-pay").CountAsync());

        // The firm pays with a voucher: only now is it in the ledger.
        await firm.ReloadAsync();
        await firm.GetByTestId($"expense-{id}-pay").ClickAsync();
        await firm.GetByLabel("付款凭证号").FillAsync("PZ-E2E-0001");
        await firm.GetByTestId("pay-save").ClickAsync();
        await Assertions.Expect(firm.GetByText($"支出单 #{id} 已支付")).ToBeVisibleAsync();
        var paid = await firmApi.GetFromJsonAsync<JsonElement>($"/api/v1/admin/estates/{estate}/fund/expenses/{id}");
        Assert.Equal("paid", paid.GetProperty("status").GetString());
        var seq = paid.GetProperty("entrySeq").GetInt64();

        // A resident of the estate reads the entry and checks its inclusion proof against the signed head.
        using var resident = fixture.Api();
        var login = await (await resident.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code = "dev-fund-owner" })).Content.ReadFromJsonAsync<JsonElement>();
        resident.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("accessToken").GetString());
        var residence = (await (await resident.PostAsJsonAsync("/api/v1/me/residences", new { householdId = fixture.Org.HouseholdsA1[3], relation = "owner", realName = "基金业主" }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        using var office = await fixture.AdminApiAsync("adminA");
        Assert.Equal(HttpStatusCode.OK, (await office.PostAsync($"/api/v1/admin/residences/{residence}/approve", null)).StatusCode);

        var proof = await resident.GetFromJsonAsync<JsonElement>($"/api/v1/estates/{estate}/fund/entries/{seq}");
        var entry = proof.GetProperty("entry");
        Assert.Equal(-128_050, entry.GetProperty("amountFen").GetInt64());
        Assert.Equal(id, entry.GetProperty("expenseId").GetInt64());
        var leafHash = MerkleTree.LeafHash(Convert.FromBase64String(proof.GetProperty("leaf").GetString()!));
        Assert.Equal(entry.GetProperty("leafHash").GetString(), Convert.ToHexStringLower(leafHash));
        var head = proof.GetProperty("head");
        var inclusion = proof.GetProperty("inclusion");
        var path = inclusion.GetProperty("path").EnumerateArray().Select(p => Convert.FromHexString(p.GetString()!)).ToList();
        Assert.Equal(head.GetProperty("treeSize").GetInt64(), inclusion.GetProperty("treeSize").GetInt64());
        Assert.True(MerkleTree.VerifyInclusion(seq, inclusion.GetProperty("treeSize").GetInt64(), leafHash, path,
            Convert.FromHexString(head.GetProperty("rootHash").GetString()!)));
    }

    /// <summary>The expense list, whether the API wraps it or not.</summary>
    private static IEnumerable<JsonElement> Items(JsonElement list) =>
        list.ValueKind == JsonValueKind.Array ? list.EnumerateArray() : list.GetProperty("items").EnumerateArray();
}
