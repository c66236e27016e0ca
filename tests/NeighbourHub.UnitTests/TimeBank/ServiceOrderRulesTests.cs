using NeighbourHub.Web.Features.TimeBank;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.UnitTests;

public sealed class ServiceOrderRulesTests
{
    private static ServiceOrder Order(ServiceOrderStatus status) => new() { Title = "修水管", RequestKey = "k", Status = status };

    public static TheoryData<ServiceOrderStatus, ServiceOrderStatus> Allowed => new()
    {
        { ServiceOrderStatus.Open, ServiceOrderStatus.Claimed },
        { ServiceOrderStatus.Claimed, ServiceOrderStatus.Completed },
        { ServiceOrderStatus.Completed, ServiceOrderStatus.Confirmed },
        { ServiceOrderStatus.Open, ServiceOrderStatus.Cancelled },
        { ServiceOrderStatus.Claimed, ServiceOrderStatus.Cancelled },
        { ServiceOrderStatus.Completed, ServiceOrderStatus.Disputed },
        { ServiceOrderStatus.Disputed, ServiceOrderStatus.Resolved },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Allowed_steps(ServiceOrderStatus from, ServiceOrderStatus to) => Assert.Null(Order(from).WhyNot(to));

    [Fact]
    public void Every_other_step_is_refused_with_a_reason()
    {
        var allowed = Allowed.Select(row => ((ServiceOrderStatus)row[0], (ServiceOrderStatus)row[1])).ToHashSet();
        foreach (var from in Enum.GetValues<ServiceOrderStatus>())
        {
            foreach (var to in Enum.GetValues<ServiceOrderStatus>().Where(to => !allowed.Contains((from, to))))
            {
                var order = Order(from);
                Assert.NotNull(order.WhyNot(to));
                Assert.Throws<ConflictException>(() => order.EnsureCan(to));
            }
        }
    }

    [Fact]
    public void Completed_orders_can_no_longer_be_cancelled_so_the_escrow_cannot_be_taken_back_after_the_work()
    {
        Assert.Contains("「待确认」", Order(ServiceOrderStatus.Completed).WhyNot(ServiceOrderStatus.Cancelled), StringComparison.Ordinal);
    }
}
