/** Saved example operations shown as tabs in the partner explorer. */
export const exampleOperations: readonly { readonly title: string; readonly query: string; readonly variables?: string }[] = [
  {
    title: 'Farms and plots',
    query: `# The public catalogue: partner farms, their plots and prices.
query FarmsAndPlots {
  farms(first: 10) {
    edges {
      node {
        name
        locality
        location { latitude longitude }
        owner { displayName }
        plots { code areaM2 sunExposure pricePerSeasonCents currency }
      }
    }
  }
}
`,
  },
  {
    title: 'Crop catalogue',
    query: `# Crops customers can plan, with sowing windows and expected yields.
query Crops {
  crops { name variety daysToMaturity spacingCm sowingMonths expectedYieldKgPerM2 }
}
`,
  },
  {
    title: 'Live stream status',
    query: `# Subscriptions run over graphql-ws on the same endpoint.
subscription StreamStatus($streamId: ID!) {
  streamStatusChanged(streamId: $streamId) {
    status
    viewers
    camera { name plot { code farm { name } } }
  }
}
`,
    variables: '{ "streamId": "" }',
  },
];
