namespace NeighbourHub.Web.Hosting;

/// <summary>The body of a step that needs a why: rejecting an application, cancelling or reopening a repair, disputing an order.</summary>
public sealed record ReasonBody(string? Reason);
