using NeighbourHub.Web.Features.Notifications;

namespace NeighbourHub.UnitTests.Notifications;

public sealed class SubscribeTemplateTests
{
    [Theory]
    [InlineData("bill.overdue", "tpl-a")] // appsettings.json, or any provider that keeps the dot
    [InlineData("bill_overdue", "tpl-a")] // an environment file, where the dot cannot be written
    public void A_template_is_found_under_the_event_name_or_its_underscore_form(string configuredAs, string template)
    {
        var configured = new Dictionary<string, string> { [configuredAs] = template };

        Assert.Equal(template, SubscribeMessageHandler.TemplateFor(configured, "bill.overdue"));
        Assert.Null(SubscribeMessageHandler.TemplateFor(configured, "event.promoted"));
    }

    [Fact]
    public void An_empty_template_counts_as_none()
    {
        var configured = new Dictionary<string, string> { ["bill.overdue"] = " ", ["bill_overdue"] = "tpl-b" };

        Assert.Equal("tpl-b", SubscribeMessageHandler.TemplateFor(configured, "bill.overdue"));
    }
}
