import { useMutation, useQuery } from '@apollo/client';
import { useState } from 'react';
import { Text, View } from 'react-native';
import { addDays, isIsoDay, isoDay } from '../dates';
import { MyRentalsDocument, PlotDetailDocument, RequestRentalDocument } from '../graphql/operations';
import { useNav } from '../nav';
import { Button, Card, Empty, ErrorView, Field, Loading, Pill, Screen, Section, money, styles } from '../ui/components';
import { colors, space } from '../ui/theme';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function PlotScreen({ plotId }: { plotId: string }) {
  const nav = useNav();
  const { data, loading, error, refetch } = useQuery(PlotDetailDocument, { variables: { id: plotId } });
  const today = isoDay(new Date());
  const [startsOn, setStartsOn] = useState(today);
  const [endsOn, setEndsOn] = useState(addDays(today, 182));
  const [problem, setProblem] = useState<string | null>(null);
  const [rent, rentState] = useMutation(RequestRentalDocument, { refetchQueries: [MyRentalsDocument] });

  if (!data && loading) return <Loading />;
  if (!data?.plot) return error ? <Screen><ErrorView error={error} onRetry={() => void refetch()} /></Screen> : <Screen><Empty text="This plot does not exist." /></Screen>;
  const plot = data.plot;

  const submit = async () => {
    setProblem(null);
    if (!isIsoDay(startsOn) || !isIsoDay(endsOn)) return setProblem('Dates are written YYYY-MM-DD.');
    if (endsOn <= startsOn) return setProblem('The end must be after the start.');
    try {
      const result = await rent({ variables: { plotId, startsOn, endsOn } });
      const rental = result.data?.requestRental;
      if (rental) nav.push({ name: 'rental', rentalId: rental.id });
    } catch {
      // shown from rentState.error
    }
  };

  return (
    <Screen title={`${plot.farm.name} · ${plot.code}`} testID="plot-screen">
      <Card>
        <View style={styles.between}>
          <Text style={[styles.strong, { fontSize: 22, color: colors.primary }]}>{money(plot.pricePerSeasonCents, plot.currency)}</Text>
          <Pill text={plot.status} color={plot.status === 'AVAILABLE' ? colors.primary : colors.muted} testID="plot-status" />
        </View>
        <Text style={styles.text}>
          {plot.areaM2} m² of {plot.soil} soil, {plot.sunExposure.replace('_', ' ').toLowerCase()}
        </Text>
        <Text style={styles.muted}>{plot.farm.locality}</Text>
        <Text style={[styles.muted, { marginTop: space(2) }]}>
          Growing season: {MONTHS[plot.farm.openingSeason.startMonth - 1]} – {MONTHS[plot.farm.openingSeason.endMonth - 1]}
        </Text>
        <Text style={[styles.text, { marginTop: space(2) }]}>{plot.farm.description}</Text>
      </Card>
      <Section title="Rent this plot">
        <Card>
          <Field testID="starts-on" label="From (YYYY-MM-DD)" value={startsOn} onChangeText={setStartsOn} />
          <Field testID="ends-on" label="Until, exclusive (YYYY-MM-DD)" value={endsOn} onChangeText={setEndsOn} />
          {problem ? <Text style={styles.errorText}>{problem}</Text> : null}
          {rentState.error ? <ErrorView error={rentState.error} /> : null}
          <Button testID="rent" title={rentState.loading ? 'Sending…' : 'Rent this plot'} disabled={rentState.loading || plot.status === 'FALLOW'} onPress={() => void submit()} />
          <Text style={styles.muted}>The farm confirms your request; you can then plan your crops and watch the plot live.</Text>
        </Card>
      </Section>
    </Screen>
  );
}
