using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using NeighbourHub.Web.Components.Layout;
using NeighbourHub.Web.Components.Shared;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Identity.Admin;

namespace NeighbourHub.ComponentTests;

public sealed class ConsoleComponentTests
{
    private static BunitContext NewContext()
    {
        var ctx = new BunitContext();
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        return ctx;
    }

    [Fact]
    public async Task Navigation_shows_only_what_the_roles_allow()
    {
        await using var ctx = NewContext();
        var auth = ctx.AddAuthorization();
        auth.SetAuthorized("grid");
        auth.SetPolicies(Policies.Admin, Policies.VerifyResidents);

        var menu = ctx.Render<NavMenu>();
        Assert.Contains("住户认证", menu.Markup, StringComparison.Ordinal);
        Assert.Contains("邀请码", menu.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("账号与角色", menu.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("操作日志", menu.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("导入房屋", menu.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Platform_admins_see_accounts_and_the_audit_log()
    {
        await using var ctx = NewContext();
        var auth = ctx.AddAuthorization();
        auth.SetAuthorized("admin");
        auth.SetPolicies(Policies.Admin, Policies.VerifyResidents, Policies.ManageOrganisation, Policies.ManageAccounts, Policies.ReadAuditLog);

        var menu = ctx.Render<NavMenu>();
        Assert.Contains("账号与角色", menu.Markup, StringComparison.Ordinal);
        Assert.Contains("操作日志", menu.Markup, StringComparison.Ordinal);
        Assert.Contains("导入房屋", menu.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Billing_pages_are_offered_to_those_who_manage_billing_only()
    {
        await using (var grid = NewContext())
        {
            var auth = grid.AddAuthorization();
            auth.SetAuthorized("grid");
            auth.SetPolicies(Policies.Admin, Policies.VerifyResidents);
            var menu = grid.Render<NavMenu>();
            Assert.DoesNotContain("收费与开账", menu.Markup, StringComparison.Ordinal);
            Assert.DoesNotContain("收款与退款", menu.Markup, StringComparison.Ordinal);
            Assert.Contains("报修考核", menu.Markup, StringComparison.Ordinal);
        }

        await using var firm = NewContext();
        var firmAuth = firm.AddAuthorization();
        firmAuth.SetAuthorized("firm");
        firmAuth.SetPolicies(Policies.Admin, Policies.VerifyResidents, Policies.ManageBilling);
        var firmMenu = firm.Render<NavMenu>();
        foreach (var page in new[] { "收费与开账", "账单与欠费", "收款与退款", "收缴率" })
        {
            Assert.Contains(page, firmMenu.Markup, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Open311 接口", firmMenu.Markup, StringComparison.Ordinal); // keys are the community's to issue
        Assert.DoesNotContain("时间银行", firmMenu.Markup, StringComparison.Ordinal); // the time bank is the community office's
        Assert.DoesNotContain("志愿服务", firmMenu.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_time_bank_is_offered_to_community_offices_only()
    {
        await using var ctx = NewContext();
        var auth = ctx.AddAuthorization();
        auth.SetAuthorized("community");
        auth.SetPolicies(Policies.Admin, Policies.VerifyResidents, Policies.ManageOrganisation, Policies.ManageBilling, Policies.ManageTimeBank);
        var menu = ctx.Render<NavMenu>();
        Assert.Contains("时间银行", menu.Markup, StringComparison.Ordinal);
        Assert.Contains("志愿服务", menu.Markup, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("throttled", "登录尝试太频繁")]
    [InlineData("invalid", "用户名或密码错误")]
    public async Task Login_page_explains_why_sign_in_failed(string error, string expected)
    {
        await using var ctx = NewContext();
        ctx.AddAuthorization();
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo($"/admin/login?error={error}&returnUrl=%2Fadmin%2Fresidences");

        var page = ctx.Render<Login>();
        Assert.Contains(expected, page.Find("[data-testid=login-error]").TextContent, StringComparison.Ordinal);
        Assert.Equal("/admin/residences", page.Find("input[name=returnUrl]").GetAttribute("value"));
        Assert.Equal("/admin/account/login", page.Find("form").GetAttribute("action"));
        // The plain form post needs the names on the <input> elements themselves.
        Assert.Equal("password", page.Find("input[name=password]").GetAttribute("type"));
        Assert.Single(page.FindAll("input[name=userName]"));
    }

    [Fact]
    public async Task Login_page_without_an_error_shows_none()
    {
        await using var ctx = NewContext();
        ctx.AddAuthorization();
        var page = ctx.Render<Login>();
        Assert.Empty(page.FindAll("[data-testid=login-error]"));
    }
}
