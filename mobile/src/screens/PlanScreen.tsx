import { useMutation, useQuery } from '@apollo/client';
import { useEffect, useState } from 'react';
import { Text, View } from 'react-native';
import { isIsoDay, isoDay, suggestSowDate } from '../dates';
import { CropsDocument, RentalDetailDocument, SavePlantingPlanDocument } from '../graphql/operations';
import { useNav } from '../nav';
import { Button, Card, Empty, ErrorView, Field, Loading, Screen, styles } from '../ui/components';
import { colors, space } from '../ui/theme';

interface Choice {
  percent: string;
  sowOn: string;
}

/** Choose crops and their share of the plot; the farm schedules sowing, care and harvest from the plan. */
export function PlanScreen({ rentalId }: { rentalId: string }) {
  const nav = useNav();
  const crops = useQuery(CropsDocument);
  const rental = useQuery(RentalDetailDocument, { variables: { id: rentalId } });
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [notes, setNotes] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [save, saveState] = useMutation(SavePlantingPlanDocument, { refetchQueries: [{ query: RentalDetailDocument, variables: { id: rentalId } }], awaitRefetchQueries: true });

  const plan = rental.data?.rental?.plan;
  useEffect(() => {
    if (!plan) return;
    setChoices(Object.fromEntries(plan.items.map((i) => [i.crop.id, { percent: String(Math.round(i.share * 100)), sowOn: i.sowOn }])));
    setNotes(plan.notes);
  }, [plan]);

  if ((!crops.data && crops.loading) || (!rental.data && rental.loading)) return <Loading />;
  if (crops.error && !crops.data) return <Screen><ErrorView error={crops.error} onRetry={() => void crops.refetch()} /></Screen>;
  const list = crops.data?.crops ?? [];
  const today = isoDay(new Date());
  const startsOn = rental.data?.rental?.startsOn ?? today;
  const endsOn = rental.data?.rental?.endsOn ?? today;
  const from = startsOn > today ? startsOn : today;
  const total = Object.values(choices).reduce((sum, c) => sum + (Number(c.percent) || 0), 0);

  const submit = async () => {
    setProblem(null);
    const items = Object.entries(choices)
      .filter(([, c]) => Number(c.percent) > 0)
      .map(([cropId, c]) => ({ cropId, share: Number(c.percent) / 100, sowOn: c.sowOn }));
    if (items.length === 0) return setProblem('Give at least one crop a share of the plot.');
    if (total > 100) return setProblem('The shares add up to more than 100%.');
    if (items.some((i) => !isIsoDay(i.sowOn))) return setProblem('Sowing dates are written YYYY-MM-DD.');
    try {
      await save({ variables: { input: { rentalId, items, notes } } });
      nav.back();
    } catch {
      // shown from saveState.error
    }
  };

  return (
    <Screen title="Plan my crops" testID="plan-screen">
      {list.length === 0 ? <Empty text="The crop catalogue is empty." /> : null}
      {list.map((crop) => {
        const choice = choices[crop.id];
        const suggested = suggestSowDate(crop, from, endsOn);
        const defaultSow = suggested ?? from;
        return (
          <Card key={crop.id} testID={`crop-${crop.id}`}>
            <View style={styles.between}>
              <Text style={styles.strong}>
                {crop.name} <Text style={styles.muted}>({crop.variety})</Text>
              </Text>
              <Text style={styles.muted}>{crop.daysToMaturity} days</Text>
            </View>
            <Text style={styles.muted}>
              {crop.expectedYieldKgPerM2} kg/m² · {crop.spacingCm} cm apart · {suggested ? (suggested === from ? 'sow now' : `sow from ${suggested}`) : 'no time to grow it in this rental'}
            </Text>
            <View style={[styles.row, { marginTop: space(2) }]}>
              <View style={{ flex: 1 }}>
                <Field testID={suggested ? `share-${crop.id}` : undefined} editable={!!suggested || !!choice} label="Share of plot (%)" keyboardType="numeric" value={choice?.percent ?? ''} onChangeText={(percent) => setChoices((c) => ({ ...c, [crop.id]: { sowOn: c[crop.id]?.sowOn ?? defaultSow, percent } }))} />
              </View>
              <View style={{ flex: 1 }}>
                <Field label="Sow on" value={choice?.sowOn ?? defaultSow} onChangeText={(sowOn) => setChoices((c) => ({ ...c, [crop.id]: { percent: c[crop.id]?.percent ?? '', sowOn } }))} />
              </View>
            </View>
          </Card>
        );
      })}
      <Field label="Notes for the farmer" value={notes} onChangeText={setNotes} multiline />
      <Text style={[styles.text, { color: total > 100 ? colors.danger : colors.text }]}>Total: {total}% of the plot</Text>
      {problem ? <Text style={styles.errorText}>{problem}</Text> : null}
      {saveState.error ? <ErrorView error={saveState.error} /> : null}
      <Button testID="save-plan" title={saveState.loading ? 'Saving…' : 'Save plan'} disabled={saveState.loading} onPress={() => void submit()} />
    </Screen>
  );
}
